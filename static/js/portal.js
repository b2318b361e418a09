// Move focus to the error summary so screen-reader and keyboard users hear
// what went wrong first. The page works without this script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// Print buttons on receipts and notices.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// A walk-in's household registration, guessed from the ID number's region
// code as the clerk types it, while the clerk has not chosen one.
document.addEventListener("input", function (event) {
  var select = document.querySelector("select[data-county-from='" + event.target.id + "']");
  if (!select || select.dataset.chosen) {
    return;
  }
  var county = JSON.parse(select.dataset.regions)[event.target.value.trim().slice(0, 6)];
  if (county) {
    select.value = county;
  }
});
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-county-from]")) {
    event.target.dataset.chosen = "1";
  }
});
