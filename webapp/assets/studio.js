// The pathway studio (webapp/studio): the diagram editor (bpmn-js Modeler and properties panel), the form
// editor, decision tables (dmn-js) and the review page's visual diff. Bundled by esbuild with the CSS below
// into webapp/static/build/studio.js and studio.css.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "dmn-js/dist/assets/diagram-js.css";
import "dmn-js/dist/assets/dmn-js-shared.css";
import "dmn-js/dist/assets/dmn-js-drd.css";
import "dmn-js/dist/assets/dmn-js-decision-table.css";
import "dmn-js/dist/assets/dmn-js-decision-table-controls.css";
import "dmn-js/dist/assets/dmn-js-literal-expression.css";
import "dmn-js/dist/assets/dmn-font/css/dmn.css";
import "./studio/studio.css";
import { openDiagram } from "./studio/editor.js";
import { openForm } from "./studio/formeditor.js";
import { openDecision } from "./studio/dmn.js";
import { showDiffs } from "./studio/review.js";
import { get, post, status } from "./studio/api.js";

// UI schemas and test files: their JSON, checked by the server when saved (the text stays if it is refused)
async function openJson(ctx) {
  const area = document.getElementById("raw-text");
  const message = document.getElementById("raw-message");
  const file = await get(ctx.urls.file);
  let version = file.version;
  area.value = file.content;
  document.getElementById("raw-save")?.addEventListener("click", async () => {
    try {
      const result = await post(ctx.urls.save, { content: area.value, base_version: version });
      version = result.version;
      message.textContent = `Saved version ${version}.`;
      message.dataset.kind = "ok";
    } catch (error) {
      message.textContent = error.message;
      message.dataset.kind = "error";
    }
  });
  document.body.dataset.editorReady = "1";
}

function studioContext() {
  const node = document.getElementById("studio-context");
  if (!node) return null;
  const ctx = JSON.parse(node.textContent);
  ctx.urls.fileOf = (path) => ctx.urls.fileTemplate.replace("__PATH__", path);
  ctx.urls.saveOf = (path) => ctx.urls.saveTemplate.replace("__PATH__", path);
  window.carepathStudio = ctx;
  return ctx;
}

async function start() {
  const ctx = studioContext();
  try {
    if (ctx && ctx.file) {
      if (ctx.file.kind === "bpmn") await openDiagram(ctx);
      else if (ctx.file.kind === "form") await openForm(ctx);
      else if (ctx.file.kind === "dmn") await openDecision(ctx);
      else await openJson(ctx);
    }
    if (document.querySelector("[data-diff]")) await showDiffs();
  } catch (error) {
    status(`The editor could not start: ${error.message}`, "error");
    throw error;
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
