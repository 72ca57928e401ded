// The review page: the draft's diagrams beside the running version's, with the elements added, removed and
// changed marked on them (bpmn-js-differ).
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff } from "bpmn-js-differ";
import { el } from "./api.js";

const CONTAINERS = /^bpmn:(Participant|Lane|Process|Collaboration)$/;

async function viewer(container, xml) {
  const v = new NavigatedViewer({ container });
  await v.importXML(xml);
  const canvas = v.get("canvas");
  const inner = canvas.viewbox().inner;
  if (inner.width > 0) {  // as tall as the diagram needs at this width
    const wanted = container.clientWidth * inner.height / inner.width + 40;
    container.style.height = `${Math.round(Math.min(420, Math.max(140, wanted)))}px`;
    canvas.resized();
  }
  canvas.zoom("fit-viewport");
  return v;
}

function mark(v, ids, marker) {
  const registry = v.get("elementRegistry");
  const canvas = v.get("canvas");
  ids.map((id) => registry.get(id)).filter((e) => e && !CONTAINERS.test(e.type))
    .forEach((e) => canvas.addMarker(e.id, marker));
}

// what changed on an element, in words a clinical lead reads (the differ names model attributes)
const ATTRIBUTE_WORDS = [[/laneSets|lanes|flowNodeRef/, "its lanes"], [/^extensionElements/, "its carepath properties"],
  [/^conditionExpression/, "its condition"], [/^name$/, "its name"], [/^default$/, "its default flow"],
  [/^(sourceRef|targetRef)$/, "where it connects"], [/^documentation/, "its documentation"]];

function whatChanged(change) {
  const words = Object.keys(change.attrs || {}).map((attr) => {
    const found = ATTRIBUTE_WORDS.find(([pattern]) => pattern.test(attr.replace(/^processRef\./, "")));
    return found ? found[1] : attr;
  });
  return [...new Set(words)].join(", ");
}

function changedName(id, change) {
  const model = change.model || {};
  return model.name ? `${model.name} (${id})` : id;
}

export async function showDiffs() {
  for (const box of document.querySelectorAll("[data-diff]")) {
    const [before, after] = await Promise.all([box.dataset.before, box.dataset.after].map((u) =>
      u ? fetch(u, { credentials: "same-origin" }).then((r) => r.text()) : Promise.resolve(null)));
    const left = box.querySelector(".diff-before");
    const right = box.querySelector(".diff-after");
    const list = box.querySelector(".diff-list");
    try {
      const newer = await viewer(right, after);
      if (!before) { list.replaceChildren(el("li", {}, "A new diagram: every element is added.")); continue; }
      const older = await viewer(left, before);
      const changes = diff(older.getDefinitions(), newer.getDefinitions());
      const added = Object.keys(changes._added);
      const removed = Object.keys(changes._removed);
      const changed = Object.keys(changes._changed);
      const moved = Object.keys(changes._layoutChanged);
      mark(newer, added, "diff-added");
      mark(older, removed, "diff-removed");
      mark(newer, changed, "diff-changed");
      mark(older, changed, "diff-changed");
      mark(newer, moved.filter((id) => !changed.includes(id)), "diff-moved");
      const label = (e) => e.name || e.id;
      const name = (id, d) => {  // a flow without a name is told by where it goes
        const e = d[id];
        if (e && e.name) return `${e.name} (${id})`;
        if (e && e.sourceRef && e.targetRef) return `flow from "${label(e.sourceRef)}" to "${label(e.targetRef)}"`;
        return id;
      };
      const items = [
        ...added.map((id) => el("li", { class: "added" }, `added: ${name(id, changes._added)}`)),
        ...removed.map((id) => el("li", { class: "removed" }, `removed: ${name(id, changes._removed)}`)),
        ...changed.map((id) => el("li", { class: "changed" }, `changed: ${changedName(id, changes._changed[id])}: ${whatChanged(changes._changed[id])}`)),
      ];
      if (moved.length) items.push(el("li", { class: "muted" }, `${moved.length} element(s) moved on the diagram`));
      list.replaceChildren(...(items.length ? items : [el("li", { class: "muted" }, "No change to the diagram's elements.")]));
      box.dataset.ready = "1";
    } catch (error) {
      list.replaceChildren(el("li", { class: "bad" }, `The diagrams could not be compared: ${error.message}`));
    }
  }
  document.body.dataset.diffReady = "1";
}
