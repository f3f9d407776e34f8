/* Draws the dashboard charts with ECharts from the JSON in #chart-data. Without JavaScript
   (or without ECharts) the tables beside each chart stay as they are. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var number = function (value) {
    return value === null ? null : Number(value);
  };
  var options = {
    flows: function () {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value" },
        series: [
          { name: data.labels.disbursed, type: "bar", data: data.disbursed.map(number) },
          { name: data.labels.repaid, type: "bar", data: data.repaid.map(number) }
        ]
      };
    },
    children: function () {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.children },
        yAxis: [
          { type: "value", name: data.labels.outstanding },
          { type: "value", name: data.labels.par30, axisLabel: { formatter: "{value}%" } }
        ],
        series: [
          { name: data.labels.outstanding, type: "bar", data: data.outstanding.map(number) },
          {
            name: data.labels.par30,
            type: "line",
            yAxisIndex: 1,
            data: data.par30.map(number)
          }
        ]
      };
    },
    capital: function () {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [
          {
            type: "pie",
            radius: ["35%", "65%"],
            data: data.capital
              .map(function (item) {
                return { name: item.name, value: number(item.value) };
              })
              .filter(function (item) {
                return item.value > 0;
              })
          }
        ]
      };
    }
  };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var build = options[box.getAttribute("data-chart")];
    if (!build) {
      return;
    }
    box.hidden = false;
    var chart = window.echarts.init(box);
    chart.setOption(build());
    charts.push(chart);
    var table = box.parentNode.querySelector("details.chart-table");
    if (table) {
      table.open = false;
    }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
