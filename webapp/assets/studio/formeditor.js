// The form editor: fields added, reordered and removed; type, label, help, required, choices, bounds, read-only
// and a condition (shown when another answer is X); the raw JSON Schema and UI schema; and a live preview drawn
// by the server with `forms/`, the renderer care managers see, checked the same way.
import { debounce, el, get, post, status } from "./api.js";

const TYPES = [
  ["string", "Text"], ["textarea", "Long text"], ["integer", "Whole number"], ["number", "Number"],
  ["boolean", "Yes / no"], ["date", "Date"], ["choice", "One choice"], ["multi", "Several choices"],
];

export function fieldsOf(schema, ui) {
  const order = (ui && ui["ui:order"]) || [];
  const fields = [];
  const required = new Set(schema.required || []);
  const add = (name, prop, req, condition) => fields.push(readField(name, prop, req, ui && ui[name], condition));
  for (const [name, prop] of Object.entries(schema.properties || {})) add(name, prop, required.has(name), null);
  for (const part of schema.allOf || []) {
    const when = part.if && part.if.properties && Object.entries(part.if.properties)[0];
    if (!when || !part.then) continue;
    const [field, test] = when;
    const value = test.const !== undefined ? test.const : (test.enum || [])[0];
    const req = new Set(part.then.required || []);
    for (const [name, prop] of Object.entries(part.then.properties || {})) add(name, prop, req.has(name), { field, value });
  }
  fields.sort((a, b) => rank(order, a.name) - rank(order, b.name));
  return fields;
}

const rank = (order, name) => { const i = order.indexOf(name); return i < 0 ? 1e6 : i; };

function readField(name, prop, required, ui, condition) {
  let type = prop.type || "string";
  let choices = (prop.oneOf || prop.anyOf || []).map((o) => o.const).filter((c) => c !== undefined);
  if (prop.enum) choices = prop.enum;
  if (type === "array") { type = "multi"; const items = prop.items || {}; choices = items.enum || (items.oneOf || items.anyOf || []).map((o) => o.const); }
  else if (choices.length) type = "choice";
  else if (type === "string" && prop.format === "date") type = "date";
  else if (type === "string" && ui && ui["ui:widget"] === "textarea") type = "textarea";
  return { name, type, title: prop.title || "", help: (ui && ui["ui:help"]) || prop.description || "", required,
    choices: (choices || []).join(", "), minimum: prop.minimum ?? "", maximum: prop.maximum ?? "",
    readOnly: !!prop.readOnly, condition, original: prop, ui: ui || {} };
}

export function buildSchemas(fields, base, baseUi) {
  const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", ...base, type: "object", properties: {} };
  delete schema.allOf; delete schema.required;
  const ui = { ...baseUi, "ui:order": fields.map((f) => f.name) };
  const required = [];
  const conditional = new Map();
  for (const f of fields) {
    const prop = propertyOf(f);
    const uiEntry = { ...(f.ui || {}) };
    delete uiEntry["ui:help"];
    if (f.help) uiEntry["ui:help"] = f.help;
    if (f.type === "textarea") uiEntry["ui:widget"] = "textarea";
    else if (uiEntry["ui:widget"] === "textarea") delete uiEntry["ui:widget"];
    if (f.readOnly) uiEntry["ui:readonly"] = true; else delete uiEntry["ui:readonly"];
    if (Object.keys(uiEntry).length) ui[f.name] = uiEntry; else delete ui[f.name];
    if (f.condition && f.condition.field) {
      const key = `${f.condition.field}=${JSON.stringify(f.condition.value)}`;
      if (!conditional.has(key)) conditional.set(key, { field: f.condition.field, value: f.condition.value, props: {}, required: [] });
      const part = conditional.get(key);
      part.props[f.name] = prop;
      if (f.required) part.required.push(f.name);
    } else {
      schema.properties[f.name] = prop;
      if (f.required) required.push(f.name);
    }
  }
  if (required.length) schema.required = required;
  if (conditional.size) {
    schema.allOf = [...conditional.values()].map((c) => ({
      if: { properties: { [c.field]: { const: c.value } }, required: [c.field] },
      then: { properties: c.props, ...(c.required.length ? { required: c.required } : {}) },
    }));
  }
  return { schema, ui };
}

function typed(text) {
  const value = String(text).trim();
  if (value === "true") return true;
  if (value === "false") return false;
  if (value !== "" && !Number.isNaN(Number(value))) return Number(value);
  return value;
}

function propertyOf(f) {
  const keep = { ...f.original };
  for (const k of ["type", "title", "description", "enum", "oneOf", "anyOf", "items", "format", "minimum", "maximum", "readOnly"]) delete keep[k];
  const prop = { ...keep, title: f.title || f.name };
  const choices = String(f.choices || "").split(",").map((c) => c.trim()).filter(Boolean);
  const labels = new Map(((f.original && (f.original.oneOf || f.original.anyOf)) || []).map((o) => [String(o.const), o.title]));
  const options = choices.map((c) => ({ const: c, title: labels.get(c) || c.replace(/_/g, " ") }));
  switch (f.type) {
    case "textarea": prop.type = "string"; break;
    case "date": prop.type = "string"; prop.format = "date"; break;
    case "choice": prop.type = "string"; prop.oneOf = options; break;
    case "multi": prop.type = "array"; prop.items = { type: "string", anyOf: options }; prop.uniqueItems = true; break;
    default: prop.type = f.type;
  }
  if (["integer", "number"].includes(f.type)) {
    if (f.minimum !== "" && f.minimum !== null) prop.minimum = Number(f.minimum);
    if (f.maximum !== "" && f.maximum !== null) prop.maximum = Number(f.maximum);
  }
  if (f.readOnly) prop.readOnly = true;
  return prop;
}

export async function openForm(ctx) {
  const schemaFile = await get(ctx.urls.file);
  const uiPath = ctx.file.path.replace(/-schema\.json$/, "-uischema.json");
  const uiFile = ctx.files.includes(uiPath) ? await get(ctx.urls.fileOf(uiPath)) : { content: "{}", version: null };
  const state = { schemaVersion: schemaFile.version, uiVersion: uiFile.version, uiPath };
  let schema, ui;
  try { schema = JSON.parse(schemaFile.content); ui = JSON.parse(uiFile.content || "{}"); }
  catch (error) { status(`${ctx.file.path} is not JSON: edit it in the raw schema below.`, "error"); schema = {}; ui = {}; }
  let fields = fieldsOf(schema, ui);
  const list = document.getElementById("fields");
  const rawSchema = document.getElementById("raw-schema");
  const rawUi = document.getElementById("raw-ui");
  const preview = document.getElementById("preview");

  const current = () => buildSchemas(fields, schema, ui);
  const refreshRaw = () => { const c = current(); rawSchema.value = JSON.stringify(c.schema, null, 2); rawUi.value = JSON.stringify(c.ui, null, 2); };
  const drawPreview = debounce(async (post_ = null) => {
    try {
      const result = await post(ctx.urls.preview, { schema: JSON.parse(rawSchema.value), ui_schema: JSON.parse(rawUi.value), post: post_ });
      preview.innerHTML = result.html;  // drawn by the server's forms package (escaped there)
      document.getElementById("preview-errors").textContent = result.message || "";
      const script = document.createElement("script");
      script.src = `${ctx.urls.formsScript}?v=${Date.now()}`;
      document.body.append(script);
    } catch (error) {
      document.getElementById("preview-errors").textContent = error.message;
    }
  }, 300);
  const changed = () => { refreshRaw(); drawPreview(); document.body.dataset.formDirty = "1"; };

  const render = () => {
    list.replaceChildren(...fields.map((f, i) => fieldRow(f, i)));
    changed();
  };
  const fieldRow = (f, i) => {
    const input = (key, attrs = {}) => el("input", { ...attrs, value: f[key] ?? "", "aria-label": `${attrs.label || key} of ${f.name}`,
      oninput: (e) => { f[key] = e.target.value; changed(); } });
    const check = (key, label) => el("label", { class: "check" }, el("input", { type: "checkbox", checked: !!f[key],
      onchange: (e) => { f[key] = e.target.checked; changed(); } }), ` ${label}`);
    const type = el("select", { "aria-label": `Type of ${f.name}`, onchange: (e) => { f.type = e.target.value; render(); } },
      TYPES.map(([v, l]) => el("option", { value: v, selected: v === f.type }, l)));
    const others = fields.filter((o) => o !== f).map((o) => o.name);
    const condField = el("select", { "aria-label": `Condition field of ${f.name}`, onchange: (e) => {
      f.condition = e.target.value ? { field: e.target.value, value: f.condition?.value ?? "" } : null; render(); } },
    el("option", { value: "" }, "always shown"), others.map((n) => el("option", { value: n, selected: f.condition?.field === n }, `shown when ${n} is`)));
    const condValue = el("input", { type: "text", value: f.condition ? String(f.condition.value) : "", disabled: !f.condition,
      "aria-label": `Condition value of ${f.name}`, size: 10,
      oninput: (e) => { if (f.condition) { f.condition.value = typed(e.target.value); changed(); } } });
    const move = (d) => { const j = i + d; if (j < 0 || j >= fields.length) return; [fields[i], fields[j]] = [fields[j], fields[i]]; render(); };
    return el("li", { class: "field-row", "data-field": f.name },
      el("div", { class: "field-head" }, el("strong", {}, f.name), " ",
        el("button", { type: "button", class: "link", onclick: () => move(-1), "aria-label": `Move ${f.name} up` }, "↑"),
        el("button", { type: "button", class: "link", onclick: () => move(1), "aria-label": `Move ${f.name} down` }, "↓"),
        el("button", { type: "button", class: "link danger", onclick: () => { fields.splice(i, 1); render(); } }, "Remove")),
      el("div", { class: "field-grid" },
        el("label", {}, "Label ", input("title", { label: "Label" })),
        el("label", {}, "Type ", type),
        el("label", {}, "Help ", input("help", { label: "Help" })),
        ["choice", "multi"].includes(f.type) ? el("label", {}, "Choices (comma separated) ", input("choices", { label: "Choices" })) : null,
        ["integer", "number"].includes(f.type) ? el("label", {}, "Min ", input("minimum", { label: "Minimum", size: 5 })) : null,
        ["integer", "number"].includes(f.type) ? el("label", {}, "Max ", input("maximum", { label: "Maximum", size: 5 })) : null,
        check("required", "Required"), check("readOnly", "Read-only"),
        el("span", { class: "condition" }, condField, " ", condValue)));
  };

  document.getElementById("add-field").addEventListener("click", () => {
    const nameBox = document.getElementById("new-field-name");
    const name = nameBox.value.trim();
    if (!/^[a-z][a-z0-9_]*$/.test(name)) { status("A field name is lower-case letters, digits and _, starting with a letter.", "error"); return; }
    if (fields.some((f) => f.name === name)) { status(`There is already a field ${name}.`, "error"); return; }
    fields.push({ name, type: "string", title: name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()), help: "", required: false,
      choices: "", minimum: "", maximum: "", readOnly: false, condition: null, original: {}, ui: {} });
    nameBox.value = "";
    render();
  });
  document.getElementById("apply-raw").addEventListener("click", () => {
    try {
      schema = JSON.parse(rawSchema.value); ui = JSON.parse(rawUi.value);
      fields = fieldsOf(schema, ui); render();
      document.getElementById("raw-message").textContent = "";
    } catch (error) { document.getElementById("raw-message").textContent = `Not JSON: ${error.message}`; }
  });
  document.getElementById("check-preview").addEventListener("click", () => {
    const form = preview.querySelector("form") || preview;
    const pairs = [...new FormData(form.tagName === "FORM" ? form : undefined).entries()].filter(([k]) => k !== "csrf_token");
    drawPreview.flush(pairs.concat([["action", "submit"]]));
  });
  document.getElementById("save-form").addEventListener("click", async () => {
    const message = document.getElementById("raw-message");
    try {
      const uiText = rawUi.value;
      const savedSchema = await post(ctx.urls.save, { content: rawSchema.value, base_version: state.schemaVersion });
      state.schemaVersion = savedSchema.version;
      const savedUi = await post(ctx.urls.saveOf(state.uiPath), { content: uiText, base_version: state.uiVersion });
      state.uiVersion = savedUi.version;
      schema = JSON.parse(rawSchema.value); ui = JSON.parse(uiText);
      message.textContent = `Saved (schema version ${state.schemaVersion}, UI schema version ${state.uiVersion}).`;
      message.dataset.kind = "ok";
      document.body.dataset.formDirty = "";
      document.body.dataset.savedVersion = String(state.schemaVersion);
      status("Form saved.", "ok");
    } catch (error) {
      message.textContent = error.message;  // the raw text stays in its box: nothing typed is lost
      message.dataset.kind = "error";
      status(error.message, "error");
    }
  });
  preview.addEventListener("submit", (event) => event.preventDefault());
  render();
  document.body.dataset.editorReady = "1";
}
