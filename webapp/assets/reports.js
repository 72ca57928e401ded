// The program dashboard's charts (chart.js), each drawn from the table beneath it: the table is the chart's
// accessible alternative and its single source, so the two always show the same figures. A click on a bar,
// point or slice opens the list behind it, as the table's links do.
import { Chart, registerables } from "chart.js";

Chart.register(...registerables);

const COLOURS = ["#1d5fa8", "#d97706", "#067647", "#b42318", "#7c3aed", "#0e7490", "#a16207", "#be185d"];

function numbers(text) {
  return (text || "").split(",").filter((s) => s !== "").map(Number);
}

function readTable(table) {
  const headings = Array.from(table.querySelectorAll("thead th[data-series]"));
  const charted = numbers(table.dataset.charted);
  const percent = new Set(numbers(table.dataset.percent));
  const rows = Array.from(table.querySelectorAll("tbody tr"));
  const labels = rows.map((row) => row.querySelector("th").textContent.trim());
  const series = charted.map((index) => ({
    index,
    label: headings[index].textContent.trim(),
    percent: percent.has(index),
    values: rows.map((row) => {
      const cell = row.querySelectorAll("td")[index];
      const raw = cell ? cell.dataset.value : "";
      if (raw === "" || raw === undefined) return null;
      const value = Number(raw);
      return percent.has(index) ? Math.round(value * 1000) / 10 : value;
    }),
    links: rows.map((row) => {
      const cell = row.querySelectorAll("td")[index];
      const link = cell && cell.querySelector("a");
      return link ? link.href : null;
    }),
  }));
  return { labels, series };
}

function config(kind, data, stacked) {
  const type = kind === "hbar" ? "bar" : kind;
  const datasets = data.series.map((s, n) => {
    const colour = COLOURS[n % COLOURS.length];
    const set = { label: s.label, data: s.values, borderColor: colour, backgroundColor: colour };
    if (kind === "doughnut") set.backgroundColor = data.labels.map((_, i) => COLOURS[i % COLOURS.length]);
    if (kind === "line") { set.backgroundColor = colour + "33"; set.tension = 0; set.spanGaps = true; }
    return set;
  });
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: datasets.length > 1 || kind === "doughnut", position: "bottom" } },
  };
  if (kind === "hbar") options.indexAxis = "y";
  if (kind !== "doughnut") {
    // counts start at zero; a trend (HbA1c, weight) is shown around its values
    options.scales = { x: { stacked, ticks: { autoSkip: true, maxRotation: 0 } },
                       y: { stacked, beginAtZero: kind !== "line" } };
    if (kind === "hbar") options.scales = { x: { beginAtZero: true }, y: { ticks: { autoSkip: false } } };
  }
  return { type, data: { labels: data.labels, datasets }, options };
}

function draw(figure) {
  const table = figure.querySelector("table.chart-data");
  const box = figure.querySelector(".chart-box");
  if (!table || !box) return;
  const data = readTable(table);
  const settings = config(table.dataset.kind, data, table.dataset.stacked === "yes");
  settings.options.onClick = (event, elements) => {
    if (!elements.length) return;
    const { datasetIndex, index } = elements[0];
    const link = data.series[datasetIndex].links[index];
    if (link) window.location.assign(link);
  };
  settings.options.onHover = (event, elements) => {
    event.native.target.style.cursor = elements.length ? "pointer" : "default";
  };
  box.hidden = false;
  const chart = new Chart(box.querySelector("canvas"), settings);
  figure.dataset.drawn = String(chart.data.datasets.length);
  figure.dataset.values = JSON.stringify(chart.data.datasets.map((set) => set.data));  // what is drawn
  figure.classList.add("chart-ready");
}

document.querySelectorAll("figure.chart-card").forEach((figure) => {
  try {
    draw(figure);
  } catch (error) {
    const box = figure.querySelector(".chart-box");
    if (box) box.hidden = true;  // the table stays: nothing is lost without the chart
    figure.dataset.failed = error.message;
  }
});
