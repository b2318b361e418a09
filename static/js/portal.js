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

// 常用语: a phrase chosen beside a text box goes into the box, after what is
// already written, for staff to edit. Without this script an empty box takes
// the chosen phrase when the form is sent.
document.addEventListener("change", function (event) {
  var picker = event.target;
  if (!picker.matches("select[data-phrase-for]") || !picker.value) {
    return;
  }
  var box = document.getElementById(picker.dataset.phraseFor);
  if (!box) {
    return;
  }
  var written = box.value.trim();
  var joiner = box.tagName === "TEXTAREA" ? "\n" : "；";
  box.value = written ? written + joiner + picker.value : picker.value;
  picker.value = "";
  // A correction item with a reason is an item of the notice: tick it.
  var item = picker.closest(".correction-item");
  var tick = item && item.querySelector("input[type=checkbox]");
  if (tick) {
    tick.checked = true;
  }
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
