// The team's workload as bars (chart.js): claimed, due today and overdue per person. The table below the chart
// says the same in words; without this script the page shows the table only.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const canvas = document.getElementById("workload-chart");
if (canvas) {
  const read = (name) => JSON.parse(canvas.dataset[name] || "[]");
  const people = read("people");
  if (people.length) {
    canvas.parentElement.hidden = false;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: people,
        datasets: [
          { label: "Claimed", data: read("claimed"), backgroundColor: "#1d5fa8" },
          { label: "Due today", data: read("today"), backgroundColor: "#b54708" },
          { label: "Overdue", data: read("overdue"), backgroundColor: "#b42318" },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
}
