// Draws the dashboard's charts with the vendored Apache ECharts. Each chart
// reads its numbers from its data-chart-data attribute; the same numbers
// are in the table beside it, so the page says everything without script.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) {
    return;
  }
  var palette = ["#1d5fa8", "#5b8c2a", "#b3261e", "#8a5a00"];

  function weekly(data) {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 56, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.weeks },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: data.labels.received, type: "bar", data: data.received },
        { name: data.labels.decided, type: "bar", data: data.decided },
        { name: data.labels.on_time_rate, type: "line", yAxisIndex: 1, data: data.on_time_rate, connectNulls: true }
      ]
    };
  }

  function agencies(data) {
    return {
      color: palette,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [
        { name: data.labels.tasks, type: "bar", data: data.tasks },
        { name: data.labels.late, type: "bar", data: data.late },
        { name: data.labels.overdue, type: "bar", data: data.overdue }
      ]
    };
  }

  var builders = { weekly: weekly, agencies: agencies };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var build = builders[element.getAttribute("data-chart")];
    var data = JSON.parse(element.getAttribute("data-chart-data"));
    if (element.getAttribute("data-chart") === "agencies") {
      element.style.height = Math.max(240, 60 + data.names.length * 36) + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(build(data));
    element.setAttribute("data-chart-ready", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
});
