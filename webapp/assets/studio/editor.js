// The diagram editor: bpmn-js Modeler with the properties panel (carepath's and SpiffWorkflow's properties),
// autosave to the draft on the server, lint problems pinned on their elements, tidy layout, and the raw XML.
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import carepathProperties from "./properties.js";
import spiffworkflow from "./spiffworkflow.json";
import { debounce, el, get, post, status } from "./api.js";
import { showFindings } from "./findings.js";
import { TestsPanel } from "./walk.js";

export async function openDiagram(ctx) {
  const canvas = document.getElementById("canvas");
  const started = performance.now();
  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: "#properties" },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, carepathProperties],
    moddleExtensions: { spiffworkflow },
  });
  const state = { version: ctx.file.version, dirty: false, saving: null, conflict: false };
  window.carepathModeler = modeler;
  try {
    const file = await get(ctx.urls.file);
    state.version = file.version;
    await modeler.importXML(file.content);
    fit(modeler.get("canvas"));
  } catch (error) {
    status(`${ctx.file.path} cannot be drawn: ${error.message}. Fix it in the raw XML below.`, "error");
    openRaw(ctx, state, modeler, true);
    return;
  }
  const opened = performance.now() - started;
  document.body.dataset.openedMs = String(Math.round(opened));
  status(`Opened ${ctx.file.path} (version ${state.version}) in ${Math.round(opened)} ms.`);

  const save = async () => {
    if (!ctx.canEdit || state.conflict) return;
    if (state.saving) { await state.saving; }
    const { xml } = await modeler.saveXML({ format: true });
    state.dirty = false;
    status("Saving…");
    state.saving = post(ctx.urls.save, { content: xml, base_version: state.version })
      .then((result) => {
        state.version = result.version;
        document.body.dataset.savedVersion = String(result.version);
        status(`Saved version ${result.version}; checked in ${Math.round(result.lint_ms)} ms.`, "ok");
        showFindings(modeler, result.findings, ctx);
      })
      .catch((error) => {
        if (error.status === 409) {
          state.conflict = true;
          conflictBanner(ctx, error.message, modeler);
        }
        status(error.message, "error");
      })
      .finally(() => { state.saving = null; });
    return state.saving;
  };
  const autosave = debounce(save, 1200);
  modeler.on("commandStack.changed", () => {
    state.dirty = true;
    document.body.dataset.savedVersion = "";
    status("Changed: saving shortly…");
    autosave();
  });
  window.addEventListener("beforeunload", (event) => { if (state.dirty) { autosave.flush(); event.preventDefault(); } });
  document.getElementById("save-now")?.addEventListener("click", () => autosave.flush());

  document.getElementById("tidy")?.addEventListener("click", async () => {
    await autosave.flush();
    try {
      const result = await post(ctx.urls.tidy, { base_version: state.version });
      state.version = result.version;
      await modeler.importXML(result.content);
      fit(modeler.get("canvas"));
      showFindings(modeler, result.findings, ctx);
      status(`Laid out: saved as version ${result.version}.`, "ok");
    } catch (error) { status(error.message, "error"); }
  });
  document.getElementById("raw-toggle")?.addEventListener("click", () => openRaw(ctx, state, modeler, false));
  document.addEventListener("studio:new-form", (event) => newFormFor(ctx, modeler, event.detail.element));

  new TestsPanel(ctx, modeler, () => autosave.flush());
  document.body.dataset.readyAt = String(performance.now());
  document.body.dataset.editorReady = "1";
  const findings = await get(ctx.urls.lint).catch(() => null);
  if (findings) showFindings(modeler, findings.findings, ctx);
}

// the whole diagram in view, clear of the palette on its left
function fit(canvas) {
  canvas.zoom("fit-viewport", "auto");
  const box = canvas.viewbox();
  const margin = 64 / box.scale;
  canvas.viewbox({ x: box.x - margin, y: box.y, width: box.width + margin, height: box.height });
}

function conflictBanner(ctx, message, modeler) {
  const box = document.getElementById("conflict");
  box.hidden = false;
  box.replaceChildren(
    el("p", {}, message),
    el("button", { type: "button", class: "button", onclick: async () => {
      const { xml } = await modeler.saveXML({ format: true });
      const link = el("a", { href: URL.createObjectURL(new Blob([xml], { type: "application/xml" })),
        download: ctx.file.path.split("/").pop() });
      link.click();
    } }, "Download my version"),
    " ",
    el("a", { class: "button", href: window.location.href }, "Reload the saved file"),
  );
}

async function openRaw(ctx, state, modeler, broken) {
  const box = document.getElementById("raw");
  box.hidden = !box.hidden && !broken ? true : false;
  if (box.hidden) return;
  const area = document.getElementById("raw-text");
  if (!area.value) {
    area.value = broken ? (await get(ctx.urls.file)).content : (await modeler.saveXML({ format: true })).xml;
  }
  const button = document.getElementById("raw-save");  // none for someone who only looks
  if (!button) return;
  button.onclick = async () => {
    const message = document.getElementById("raw-message");
    try {
      const result = await post(ctx.urls.save, { content: area.value, base_version: state.version });
      state.version = result.version;
      message.textContent = `Saved version ${result.version}.`;
      message.dataset.kind = "ok";
      await modeler.importXML(area.value);
      showFindings(modeler, result.findings, ctx);
    } catch (error) {
      message.textContent = error.message;  // the text stays in the box: nothing typed is lost
      message.dataset.kind = "error";
    }
  };
}

async function newFormFor(ctx, modeler, elementId) {
  const name = window.prompt("Name of the new form (letters, digits, _ and -):", elementId.toLowerCase());
  if (!name) return;
  try {
    const created = await post(ctx.urls.newForm, { name });
    ctx.forms.push(created.schema.split("/").pop());
    ctx.uiForms.push(created.ui_schema.split("/").pop());
    const element = modeler.get("elementRegistry").get(elementId);
    const panel = modeler.get("propertiesPanel");
    modeler.get("selection").select(element);
    window.carepathStudio.forms = ctx.forms;
    window.carepathStudio.uiForms = ctx.uiForms;
    setFormProperties(modeler, element, created);
    document.body.dataset.formCreated = created.schema;
    panel && status(`Created ${created.schema}; open it from the file list to add its fields.`, "ok");
    document.dispatchEvent(new CustomEvent("studio:files-changed"));
  } catch (error) { status(error.message, "error"); }
}

function setFormProperties(modeler, element, created) {
  const modeling = modeler.get("modeling");
  const factory = modeler.get("bpmnFactory");
  const object = element.businessObject;
  const extensions = object.extensionElements || factory.create("bpmn:ExtensionElements", { values: [] });
  let group = (extensions.values || []).find((v) => v.$instanceOf("spiffworkflow:Properties"));
  const props = [["formJsonSchemaFilename", created.schema.split("/").pop()], ["formUiSchemaFilename", created.ui_schema.split("/").pop()]];
  if (!group) {
    group = factory.create("spiffworkflow:Properties", { properties: [] });
    group.$parent = extensions;
    extensions.values = [...(extensions.values || []), group];
  }
  for (const [name, value] of props) {
    const found = group.properties.find((p) => p.name === name);
    if (found) found.value = value;
    else { const p = factory.create("spiffworkflow:Property", { name, value }); p.$parent = group; group.properties.push(p); }
  }
  extensions.$parent = object;
  modeling.updateProperties(element, { extensionElements: extensions });
}
