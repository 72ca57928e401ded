// Decision tables of the draft in dmn-js: edited in place, saved to the draft (the server checks that
// SpiffWorkflow can read the table, and lints the whole draft). The raw XML beside it: a table that cannot be
// drawn opens there, and a refused save keeps the text in its box.
import DmnModeler from "dmn-js/lib/Modeler";
import { debounce, get, post, status } from "./api.js";

async function show(modeler, xml) {
  await modeler.importXML(xml);
  const view = modeler.getViews().find((v) => v.type === "decisionTable");
  if (view) await modeler.open(view);
}

function saved(state, result, ctx) {
  state.version = result.version;
  document.body.dataset.savedVersion = String(result.version);
  const problems = result.findings.filter((f) => f.severity !== "info" && f.file === ctx.file.path);
  status(problems.length ? `Saved version ${result.version}; ${problems.map((p) => p.message).join("; ")}`
    : `Saved version ${result.version}.`, problems.length ? "error" : "ok");
}

export async function openDecision(ctx) {
  const modeler = new DmnModeler({ container: "#dmn" });
  const file = await get(ctx.urls.file);
  const state = { version: file.version, listening: null };
  const save = async () => {
    const { xml } = await modeler.saveXML({ format: true });
    try {
      saved(state, await post(ctx.urls.save, { content: xml, base_version: state.version }), ctx);
    } catch (error) { status(error.message, "error"); }
  };
  const autosave = debounce(save, 1200);
  const listen = () => {  // the table's viewer is new after every import
    const active = modeler.getActiveViewer();
    if (!active || active === state.listening) return;
    state.listening = active;
    active.on("elements.changed", () => { status("Changed: saving shortly…"); autosave(); });
  };
  document.getElementById("save-now")?.addEventListener("click", () => autosave.flush());
  document.getElementById("raw-toggle")?.addEventListener("click", () => raw(ctx, state, modeler, listen, false));
  try {
    await show(modeler, file.content);
  } catch (error) {
    status(`${ctx.file.path} cannot be shown: ${error.message}. Fix it in the raw XML below.`, "error");
    raw(ctx, state, modeler, listen, true, file.content);
    return;
  }
  listen();
  document.body.dataset.editorReady = "1";
}

async function raw(ctx, state, modeler, listen, broken, content = null) {
  const box = document.getElementById("raw");
  box.hidden = !box.hidden && !broken;
  if (box.hidden) return;
  const area = document.getElementById("raw-text");
  if (!area.value) area.value = content ?? (await modeler.saveXML({ format: true })).xml;
  const button = document.getElementById("raw-save");
  if (!button) return;
  button.onclick = async () => {
    const message = document.getElementById("raw-message");
    try {
      const result = await post(ctx.urls.save, { content: area.value, base_version: state.version });
      saved(state, result, ctx);
      message.textContent = `Saved version ${result.version}.`;
      message.dataset.kind = "ok";
      await show(modeler, area.value);
      listen();
      document.body.dataset.editorReady = "1";
    } catch (error) {
      message.textContent = error.message;  // the text stays in the box: nothing typed is lost
      message.dataset.kind = "error";
    }
  };
}
