// The bottleneck heatmap: each diagram of the program drawn with bpmn-js (read only), each step coloured on a
// scale from green to red by the chosen figure (90th percentile of waiting, of working, the share overdue, the
// count) and badged with its count and median wait; a stage's call activity carries its stage's total and its
// worst step's colour. The figures come from the table of steps below the diagrams (the page's table
// alternative); a click on a step opens the tasks behind it, as the table's links do, and a click on a stage
// goes to that stage's diagram.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import "bpmn-js/dist/assets/diagram-js.css";

const steps = Array.from(document.querySelectorAll(".heat-table tbody tr[data-element]"));
const controls = document.querySelector(".heat-controls");
const metric = document.getElementById("heat-metric");
const drawn = [];

function value(row, key) {
  const raw = row.dataset[key];
  return raw === "" || raw === undefined ? null : Number(raw);
}

function colour(share) {
  // green (120) through yellow (60) to red (0)
  const hue = Math.round(120 - 120 * Math.max(0, Math.min(1, share)));
  return `hsl(${hue} 70% ${share > 0.66 ? 62 : 72}%)`;
}

function stageRows(process) {
  return steps.filter((row) => row.dataset.process === process);
}

function stageValue(process, key) {
  const values = stageRows(process).map((row) => value(row, key)).filter((v) => v !== null);
  if (!values.length) return null;
  return key === "count" ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
}

function calls(box) {
  return Object.fromEntries((box.dataset.calls || "").split(" ").filter(Boolean).map((pair) => pair.split("=")));
}

function fill(registry, id, v, max) {
  const element = registry.get(id);
  if (!element) return;
  const shape = registry.getGraphics(element).querySelector(".djs-visual > :first-child");
  if (shape) {
    shape.style.fill = v === null ? "#f1f3f6" : colour(max > 0 ? v / max : 0);
    shape.style.stroke = "#12355b";
  }
}

function paint() {
  const key = metric ? metric.value : "waiting_p90";
  const values = steps.map((row) => value(row, key)).filter((v) => v !== null);
  const max = Math.max(0, ...values);
  const stageMax = key === "count" ? Math.max(0, ...[...new Set(steps.map((r) => r.dataset.process))]
    .map((p) => stageValue(p, key) || 0)) : max;
  drawn.forEach(({ viewer, rows, box }) => {
    const registry = viewer.get("elementRegistry");
    rows.forEach((row) => fill(registry, row.dataset.element, value(row, key), max));
    Object.entries(calls(box)).forEach(([id, process]) => {
      if (stageRows(process).length) fill(registry, id, stageValue(process, key), stageMax);
    });
    box.dataset.metric = key;
  });
}

function badge(text, title) {
  const span = document.createElement("span");
  span.className = "heat-badge";
  span.textContent = text;
  span.title = title;
  return span;
}

function openStage(process) {
  const target = document.getElementById(`diagram-${process}`);
  if (!target) return;
  if (target.tagName === "DETAILS") target.open = true;
  target.scrollIntoView({ behavior: "smooth", block: "start" });
}

async function draw(box) {
  const rows = stageRows(box.dataset.process);
  const stages = calls(box);
  const viewer = new NavigatedViewer({ container: box });
  const response = await fetch(box.dataset.src, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  await viewer.importXML(await response.text());
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  // as tall as the diagram needs at this width (a long, flat stage takes little room)
  const inner = canvas.viewbox().inner;
  if (inner.width > 0) {
    const wanted = (box.clientWidth * inner.height) / inner.width + 48;
    box.style.height = `${Math.round(Math.min(560, Math.max(180, wanted)))}px`;
    canvas.resized();
  }
  canvas.zoom("fit-viewport");
  rows.forEach((row) => {
    if (!registry.get(row.dataset.element)) return;
    canvas.addMarker(row.dataset.element, "heat-step");
    overlays.add(row.dataset.element, "heat", { position: { top: -12, right: 12 },
      html: badge(`${row.dataset.count} · ${row.dataset.labelWait}`, "tasks · median wait") });
  });
  Object.entries(stages).forEach(([id, process]) => {
    const total = stageValue(process, "count");
    if (!registry.get(id) || total === null) return;
    canvas.addMarker(id, "heat-step");
    overlays.add(id, "heat", { position: { top: -12, right: 12 }, html: badge(`${total} tasks`, "tasks in the stage") });
  });
  viewer.get("eventBus").on("element.click", (event) => {
    const row = rows.find((r) => r.dataset.element === event.element.id);
    if (row) window.location.assign(row.dataset.href);
    else if (stages[event.element.id]) openStage(stages[event.element.id]);
  });
  drawn.push({ viewer, rows, box });
  box.classList.add("ready");
  box.dataset.steps = String(rows.filter((row) => registry.get(row.dataset.element)).length);
  paint();
}

function drawSafely(box) {
  return draw(box).catch((error) => {
    box.textContent = `The diagram could not be drawn (${error.message}); the table below has every figure.`;
    box.classList.add("failed");
  });
}

// a diagram inside a closed <details> has no size yet: it is drawn when it is first opened
const boxes = Array.from(document.querySelectorAll(".heat-diagram[data-src]"));
const now = [];
boxes.forEach((box) => {
  const closed = box.closest("details:not([open])");
  if (!closed) { now.push(drawSafely(box)); return; }
  closed.addEventListener("toggle", function once() {
    if (!closed.open) return;
    closed.removeEventListener("toggle", once);
    drawSafely(box);
  });
});
Promise.all(now).then(() => {
  if (controls && drawn.length) controls.hidden = false;
  if (metric) metric.addEventListener("change", paint);
  paint();
});
