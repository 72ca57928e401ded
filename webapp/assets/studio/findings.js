// Lint and deploy problems: listed beside the diagram and pinned on their elements; a click selects the element.
import { el } from "./api.js";

export function showFindings(modeler, findings, ctx) {
  const list = document.getElementById("problems");
  if (!list) return;
  const overlays = modeler?.get("overlays");
  const registry = modeler?.get("elementRegistry");
  overlays?.remove({ type: "lint" });
  const here = (findings || []).filter((f) => f.severity !== "info");
  const mine = here.filter((f) => f.file === ctx.file.path);
  const others = here.filter((f) => f.file !== ctx.file.path);
  const counts = document.getElementById("problem-count");
  if (counts) counts.textContent = here.length ? `${here.length} problem(s)` : "No problems";
  document.body.dataset.problems = String(here.length);
  const byElement = new Map();
  for (const finding of mine) {
    const target = pinTarget(registry, finding.element);
    if (target) byElement.set(target, [...(byElement.get(target) || []), finding]);
  }
  for (const [id, items] of byElement) {
    const worst = items.some((f) => f.severity === "error") ? "error" : "warning";
    const badge = el("button", { type: "button", class: `lint-badge lint-${worst}`, title: items.map((f) => f.message).join("\n"),
      "data-element": id, onclick: () => select(modeler, id) }, String(items.length));
    overlays.add(id, "lint", { position: { top: -10, right: 10 }, html: badge });
  }
  list.replaceChildren(...(here.length ? [...mine, ...others].map((f) => row(f, modeler, ctx))
    : [el("li", { class: "muted" }, "Lint and deploy checks found nothing to fix.")]));
}

// a problem of a gateway's outgoing flow (no condition, a default with one) is pinned on the gateway
function pinTarget(registry, id) {
  const element = id && registry?.get(id);
  if (!element) return null;
  const source = element.source;
  if (element.type === "bpmn:SequenceFlow" && source && /Gateway$/.test(source.type)) return source.id;
  return element.id;
}

function row(finding, modeler, ctx) {
  const where = `${finding.file}${finding.line ? `:${finding.line}` : ""}`;
  const item = el("li", { class: `finding finding-${finding.severity}` },
    el("span", { class: "severity" }, finding.severity), " ",
    finding.element && finding.file === ctx.file.path
      ? el("button", { type: "button", class: "link", onclick: () => select(modeler, finding.element) }, finding.element)
      : el("span", {}, finding.element || ""),
    " ", finding.message, " ", el("span", { class: "muted" }, `(${where}, ${finding.check})`));
  return item;
}

export function select(modeler, id) {
  const element = modeler.get("elementRegistry").get(id);
  if (!element) return;
  modeler.get("selection").select(element);
  const canvas = modeler.get("canvas");
  canvas.scrollToElement ? canvas.scrollToElement(element) : null;
}
