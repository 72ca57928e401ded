// carepath's and SpiffWorkflow's extension properties in bpmn-js-properties-panel: a lane's role, a user task's
// form, UI schema, dueIn and priority, pre- and post-scripts, a script task's script, gateway conditions and the
// default flow, timers (with the business-day helpers), messages (name, variable, correlation key), a call
// activity's called pathway, a business rule task's decision, data objects, a process's start data.
import { html } from "htm/preact";
import {
  CheckboxEntry, isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited,
  SelectEntry, TextAreaEntry, TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

const SPIFF = "spiffworkflow";
const PRIORITIES = ["low", "normal", "high", "urgent"];
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
export const TIMER_HELPERS = [
  { value: "'P3D'", label: "3 days (a duration)" },
  { value: "'PT4H'", label: "4 hours" },
  { value: "'R/P1M'", label: "every month (a cycle)" },
  { value: "business_days_duration(discharge_date, 2)", label: "end of the 2nd business day after a date" },
  { value: "add_business_days(date.today().isoformat(), 5)", label: "5 business days from today (a date)" },
];

const context = () => window.carepathStudio || { roles: [], forms: [], uiForms: [], processes: [], decisions: [] };
const is = (element, type) => element?.businessObject?.$instanceOf?.(type);
const bo = (element) => element.businessObject;

// ---------------------------------------------------------------------------------------------- extension helpers
function extensionValues(object, type) {
  return (object.extensionElements?.values || []).filter((v) => v.$instanceOf(type));
}

function ensureExtensions(element, object, bpmnFactory, modeling) {
  let extensions = object.get("extensionElements");
  if (!extensions) {
    extensions = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
    extensions.$parent = object;
    modeling.updateModdleProperties(element, object, { extensionElements: extensions });
  }
  return extensions;
}

function getProperty(object, name) {
  for (const group of extensionValues(object, `${SPIFF}:Properties`)) {
    const found = (group.properties || []).find((p) => p.name === name);
    if (found) return found.value || "";
  }
  return "";
}

function setProperty(element, object, name, value, bpmnFactory, modeling) {
  const extensions = ensureExtensions(element, object, bpmnFactory, modeling);
  let group = extensionValues(object, `${SPIFF}:Properties`)[0];
  if (!group) {
    if (!value) return;
    group = bpmnFactory.create(`${SPIFF}:Properties`, { properties: [] });
    group.$parent = extensions;
    modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, group] });
  }
  const existing = (group.properties || []).find((p) => p.name === name);
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, group, { properties: group.properties.filter((p) => p !== existing) });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const property = bpmnFactory.create(`${SPIFF}:Property`, { name, value });
  property.$parent = group;
  modeling.updateModdleProperties(element, group, { properties: [...(group.properties || []), property] });
}

function getBody(object, type) {
  return extensionValues(object, type)[0]?.value || "";
}

function setBody(element, object, type, value, bpmnFactory, modeling) {
  const extensions = ensureExtensions(element, object, bpmnFactory, modeling);
  const existing = extensionValues(object, type)[0];
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, extensions, { values: extensions.values.filter((v) => v !== existing) });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const created = bpmnFactory.create(type, { value });
  created.$parent = extensions;
  modeling.updateModdleProperties(element, extensions, { values: [...extensions.values, created] });
}

// ---------------------------------------------------------------------------------------------- entry components
function useTools() {
  return { modeling: useService("modeling"), bpmnFactory: useService("bpmnFactory"), debounce: useService("debounceInput") };
}

function PropertyText({ element, id, name, label, description, validate, target }) {
  const { modeling, bpmnFactory, debounce } = useTools();
  const object = target || bo(element);
  return html`<${TextFieldEntry} element=${element} id=${id} label=${label} description=${description}
    debounce=${debounce} validate=${validate} getValue=${() => getProperty(object, name)}
    setValue=${(value) => setProperty(element, object, name, (value || "").trim(), bpmnFactory, modeling)} />`;
}

function PropertySelect({ element, id, name, label, options, description, onNew }) {
  const { modeling, bpmnFactory } = useTools();
  const object = bo(element);
  return html`<${SelectEntry} element=${element} id=${id} label=${label} description=${description}
    getValue=${() => getProperty(object, name)}
    getOptions=${() => {
      const current = getProperty(object, name);
      const list = [{ value: "", label: "(none)" }, ...options().map((o) => (typeof o === "string" ? { value: o, label: o } : o))];
      if (current && !list.some((o) => o.value === current)) list.push({ value: current, label: `${current} (not in the draft)` });
      if (onNew) list.push({ value: "__new__", label: "Create a new form…" });
      return list;
    }}
    setValue=${(value) => {
      if (value === "__new__") { onNew(element); return; }
      setProperty(element, object, name, value, bpmnFactory, modeling);
    }} />`;
}

function BodyArea({ element, id, type, label, description }) {
  const { modeling, bpmnFactory, debounce } = useTools();
  return html`<${TextAreaEntry} element=${element} id=${id} label=${label} description=${description} debounce=${debounce}
    monospace=${true} rows=${4} getValue=${() => getBody(bo(element), type)}
    setValue=${(value) => setBody(element, bo(element), type, value || "", bpmnFactory, modeling)} />`;
}

function BodyText({ element, id, type, label, description, options }) {
  const { modeling, bpmnFactory, debounce } = useTools();
  if (options) {
    return html`<${SelectEntry} element=${element} id=${id} label=${label} description=${description}
      getValue=${() => getBody(bo(element), type)}
      getOptions=${() => [{ value: "", label: "(none)" }, ...options()]}
      setValue=${(value) => setBody(element, bo(element), type, value, bpmnFactory, modeling)} />`;
  }
  return html`<${TextFieldEntry} element=${element} id=${id} label=${label} description=${description} debounce=${debounce}
    getValue=${() => getBody(bo(element), type)}
    setValue=${(value) => setBody(element, bo(element), type, (value || "").trim(), bpmnFactory, modeling)} />`;
}

function LaneRole({ element }) {
  const modeling = useService("modeling");
  const roles = context().roles;
  const current = () => {
    const name = (bo(element).name || "").trim().toLowerCase();
    const found = roles.find((r) => r.label.toLowerCase() === name || r.value === name.replace(/[^a-z0-9]+/g, "_"));
    return found ? found.value : "";
  };
  return html`<${SelectEntry} element=${element} id="carepath-lane-role" label="Role (who works this lane's tasks)"
    getValue=${current} getOptions=${() => [{ value: "", label: "(choose a role)" }, ...roles]}
    setValue=${(value) => {
      const role = roles.find((r) => r.value === value);
      if (role) modeling.updateLabel(element, role.label);
    }} />`;
}

function ScriptBody({ element }) {
  const modeling = useService("modeling");
  const debounce = useService("debounceInput");
  return html`<${TextAreaEntry} element=${element} id="carepath-script" label="Script (Python, run in the sandbox)"
    debounce=${debounce} monospace=${true} rows=${8} getValue=${() => bo(element).script || ""}
    setValue=${(value) => modeling.updateProperties(element, { scriptFormat: "python", script: value || "" })} />`;
}

function Condition({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  return html`<${TextAreaEntry} element=${element} id="carepath-condition" label="Condition (a Python expression)"
    description="Taken when true, for example: review_decision == 'adjust'" debounce=${debounce} monospace=${true} rows=${2}
    getValue=${() => bo(element).conditionExpression?.body || ""}
    setValue=${(value) => {
      const text = (value || "").trim();
      modeling.updateProperties(element, {
        conditionExpression: text ? bpmnFactory.create("bpmn:FormalExpression", { body: text }) : undefined,
      });
    }} />`;
}

function DefaultFlow({ element }) {
  const modeling = useService("modeling");
  const source = element.source;
  return html`<${CheckboxEntry} element=${element} id="carepath-default-flow" label="Default flow (taken when no condition holds)"
    getValue=${() => source?.businessObject?.default === bo(element)}
    setValue=${(value) => modeling.updateProperties(source, { default: value ? bo(element) : undefined })} />`;
}

function timerDefinition(element) {
  return (bo(element).eventDefinitions || []).find((d) => d.$instanceOf("bpmn:TimerEventDefinition"));
}

function TimerKind({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const kinds = [{ value: "timeDuration", label: "After a duration" }, { value: "timeDate", label: "At a date" },
    { value: "timeCycle", label: "Repeating (cycle)" }];
  const kindOf = (definition) => kinds.map((k) => k.value).find((k) => definition.get(k)) || "";
  return html`<${SelectEntry} element=${element} id="carepath-timer-kind" label="Timer"
    getValue=${() => kindOf(timerDefinition(element))} getOptions=${() => kinds}
    setValue=${(value) => {
      const definition = timerDefinition(element);
      const old = kindOf(definition);
      const text = old ? definition.get(old).body : "'P1D'";
      const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      props[value] = bpmnFactory.create("bpmn:FormalExpression", { body: text });
      modeling.updateModdleProperties(element, definition, props);
    }} />`;
}

function TimerExpression({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const definition = timerDefinition(element);
  const kind = ["timeDuration", "timeDate", "timeCycle"].find((k) => definition.get(k)) || "timeDuration";
  const set = (value) => modeling.updateModdleProperties(element, definition,
    { [kind]: bpmnFactory.create("bpmn:FormalExpression", { body: (value || "").trim() }) });
  return html`
    <${TextAreaEntry} element=${element} id="carepath-timer-expression" label="When (a Python expression)"
      description="Quote ISO values: 'P3D', 'PT4H', 'R/P1M'. Business-day helpers: business_days_duration, add_business_days."
      debounce=${debounce} monospace=${true} rows=${2} getValue=${() => definition.get(kind)?.body || ""} setValue=${set} />
    <${SelectEntry} element=${element} id="carepath-timer-helper" label="Insert a common timer"
      getValue=${() => ""} getOptions=${() => [{ value: "", label: "(choose)" }, ...TIMER_HELPERS]}
      setValue=${(value) => value && set(value)} />`;
}

function messageOwner(element) {
  const object = bo(element);
  if (object.$instanceOf("bpmn:ReceiveTask") || object.$instanceOf("bpmn:SendTask")) return object;
  return (object.eventDefinitions || []).find((d) => d.$instanceOf("bpmn:MessageEventDefinition"));
}

function definitionsOf(element) {
  let node = bo(element);
  while (node.$parent) node = node.$parent;
  return node;
}

function MessageName({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const owner = messageOwner(element);
  return html`<${TextFieldEntry} element=${element} id="carepath-message-name" label="Message name"
    description="What other systems send, for example lab_result" debounce=${debounce}
    getValue=${() => owner.messageRef?.name || ""}
    setValue=${(value) => {
      const name = (value || "").trim();
      if (!name) { modeling.updateModdleProperties(element, owner, { messageRef: undefined }); return; }
      const definitions = definitionsOf(element);
      let message = definitions.rootElements.find((r) => r.$instanceOf("bpmn:Message") && r.name === name);
      if (!message) {
        message = bpmnFactory.create("bpmn:Message", { name, id: `message_${name.replace(/\W+/g, "_")}` });
        message.$parent = definitions;
        modeling.updateModdleProperties(element, definitions, { rootElements: [...definitions.rootElements, message] });
      }
      modeling.updateModdleProperties(element, owner, { messageRef: message });
    }} />`;
}

function MessageVariable({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const owner = messageOwner(element);
  const holder = owner.$instanceOf("bpmn:MessageEventDefinition") ? owner : bo(element);
  return html`<${TextFieldEntry} element=${element} id="carepath-message-variable" label="Message variable"
    description="The payload lands in this variable; without one, its fields become task data" debounce=${debounce}
    getValue=${() => getBody(holder, `${SPIFF}:MessageVariable`)}
    setValue=${(value) => setBody(element, holder, `${SPIFF}:MessageVariable`, (value || "").trim(), bpmnFactory, modeling)} />`;
}

function CorrelationKey({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const owner = messageOwner(element);
  const find = () => {
    const message = owner.messageRef;
    if (!message) return null;
    for (const root of definitionsOf(element).rootElements) {
      if (!root.$instanceOf("bpmn:CorrelationProperty")) continue;
      const expression = (root.correlationPropertyRetrievalExpression || []).find((e) => e.messageRef === message);
      if (expression) return { property: root, expression };
    }
    return null;
  };
  return html`<${TextFieldEntry} element=${element} id="carepath-correlation" label="Correlation key"
    description="An expression on the payload that must match the pathway's (patient_id always does)" debounce=${debounce}
    getValue=${() => find()?.expression.messagePath?.body || ""}
    setValue=${(value) => {
      const text = (value || "").trim();
      const found = find();
      const definitions = definitionsOf(element);
      if (!text) {
        if (found) modeling.updateModdleProperties(element, definitions, { rootElements: definitions.rootElements.filter((r) => r !== found.property) });
        return;
      }
      if (!owner.messageRef) return;
      const path = bpmnFactory.create("bpmn:FormalExpression", { body: text });
      if (found) { modeling.updateModdleProperties(element, found.expression, { messagePath: path }); return; }
      const expression = bpmnFactory.create("bpmn:CorrelationPropertyRetrievalExpression", { messageRef: owner.messageRef, messagePath: path });
      const property = bpmnFactory.create("bpmn:CorrelationProperty", {
        id: `correlation_${owner.messageRef.name || owner.messageRef.id}`.replace(/\W+/g, "_"), name: text,
        correlationPropertyRetrievalExpression: [expression] });
      expression.$parent = property;
      property.$parent = definitions;
      modeling.updateModdleProperties(element, definitions, { rootElements: [...definitions.rootElements, property] });
    }} />`;
}

function CalledElement({ element }) {
  const modeling = useService("modeling");
  return html`<${SelectEntry} element=${element} id="carepath-called-element" label="Called pathway (a stage of the library)"
    getValue=${() => bo(element).calledElement || ""}
    getOptions=${() => {
      const list = [{ value: "", label: "(choose)" }, ...context().processes];
      const current = bo(element).calledElement;
      if (current && !list.some((o) => o.value === current)) list.push({ value: current, label: `${current} (not in the draft)` });
      return list;
    }}
    setValue=${(value) => modeling.updateProperties(element, { calledElement: value || undefined })} />`;
}

function DataObjectRef({ element }) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  const debounce = useService("debounceInput");
  const process = () => { let n = bo(element).$parent; while (n && !n.flowElements) n = n.$parent; return n; };
  const objects = () => (process()?.flowElements || []).filter((f) => f.$instanceOf("bpmn:DataObject"));
  return html`
    <${SelectEntry} element=${element} id="carepath-data-object" label="Data object (shared by the process's branches)"
      getValue=${() => bo(element).dataObjectRef?.id || ""}
      getOptions=${() => [{ value: "", label: "(choose)" }, ...objects().map((o) => ({ value: o.id, label: o.id }))]}
      setValue=${(value) => modeling.updateProperties(element, { dataObjectRef: objects().find((o) => o.id === value) })} />
    <${TextFieldEntry} element=${element} id="carepath-data-object-new" label="New data object (its name)" debounce=${debounce}
      getValue=${() => ""}
      setValue=${(value) => {
        const name = (value || "").trim().replace(/\W+/g, "_");
        const owner = process();
        if (!name || !owner || objects().some((o) => o.id === name)) return;
        const created = bpmnFactory.create("bpmn:DataObject", { id: name });
        created.$parent = owner;
        modeling.updateModdleProperties(element, owner, { flowElements: [...owner.flowElements, created] });
        modeling.updateProperties(element, { dataObjectRef: created, name });
      }} />`;
}

// ---------------------------------------------------------------------------------------------- the provider
function entry(id, component, isEdited, element, extra = {}) {
  return { id, component: (props) => component({ ...props, ...extra }), isEdited, element };
}

function groupsFor(element) {
  const groups = [];
  const entries = [];
  const object = bo(element);
  if (is(element, "bpmn:Lane")) entries.push(entry("carepath-lane-role", LaneRole, isSelectEntryEdited, element));
  if (is(element, "bpmn:Participant") || is(element, "bpmn:Process")) {
    const target = is(element, "bpmn:Participant") ? object.processRef : object;
    if (target) {
      entries.push(entry("carepath-start-data", PropertyText, isTextFieldEntryEdited, element,
        { id: "carepath-start-data", name: "startData", label: "Start data (names a caller passes in)", target,
          description: "Comma separated, for example chronic_conditions, lace_inputs" }));
    }
  }
  if (is(element, "bpmn:UserTask")) {
    const onNew = (el) => document.dispatchEvent(new CustomEvent("studio:new-form", { detail: { element: el.id } }));
    entries.push(
      entry("carepath-form", PropertySelect, isSelectEntryEdited, element, { id: "carepath-form", name: "formJsonSchemaFilename",
        label: "Form (JSON Schema)", options: () => context().forms, onNew }),
      entry("carepath-ui-form", PropertySelect, isSelectEntryEdited, element, { id: "carepath-ui-form",
        name: "formUiSchemaFilename", label: "UI schema", options: () => context().uiForms }),
      entry("carepath-due-in", PropertyText, isTextFieldEntryEdited, element, { id: "carepath-due-in", name: "dueIn",
        label: "Due in (ISO 8601 duration)", description: "For example P2D (2 days) or PT4H (4 hours)",
        validate: (value) => (value && !DURATION.test(value.trim()) ? "Not an ISO 8601 duration: use P2D, PT4H, P1M" : null) }),
      entry("carepath-priority", PropertySelect, isSelectEntryEdited, element, { id: "carepath-priority", name: "priority",
        label: "Priority", options: () => PRIORITIES }),
    );
  }
  if (is(element, "bpmn:ScriptTask")) entries.push(entry("carepath-script", ScriptBody, isTextAreaEntryEdited, element));
  if (is(element, "bpmn:Activity")) {
    entries.push(
      entry("carepath-pre-script", BodyArea, isTextAreaEntryEdited, element, { id: "carepath-pre-script",
        type: `${SPIFF}:PreScript`, label: "Pre-script (runs before the task)" }),
      entry("carepath-post-script", BodyArea, isTextAreaEntryEdited, element, { id: "carepath-post-script",
        type: `${SPIFF}:PostScript`, label: "Post-script (runs after the task)" }),
    );
  }
  if (is(element, "bpmn:SequenceFlow")) {
    const source = element.source && bo(element.source);
    if (source && (source.$instanceOf("bpmn:ExclusiveGateway") || source.$instanceOf("bpmn:InclusiveGateway"))) {
      entries.push(entry("carepath-condition", Condition, isTextAreaEntryEdited, element),
        entry("carepath-default-flow", DefaultFlow, isCheckboxEntryEdited, element));
    }
  }
  if (is(element, "bpmn:Event") && timerDefinition(element)) {
    entries.push(entry("carepath-timer-kind", TimerKind, isSelectEntryEdited, element),
      entry("carepath-timer-expression", TimerExpression, isTextFieldEntryEdited, element));
  }
  if ((is(element, "bpmn:Event") || is(element, "bpmn:ReceiveTask") || is(element, "bpmn:SendTask")) && messageOwner(element)) {
    entries.push(entry("carepath-message-name", MessageName, isTextFieldEntryEdited, element),
      entry("carepath-message-variable", MessageVariable, isTextFieldEntryEdited, element),
      entry("carepath-correlation", CorrelationKey, isTextFieldEntryEdited, element));
  }
  if (is(element, "bpmn:CallActivity")) entries.push(entry("carepath-called-element", CalledElement, isSelectEntryEdited, element));
  if (is(element, "bpmn:BusinessRuleTask")) {
    entries.push(entry("carepath-decision", BodyText, isSelectEntryEdited, element, { id: "carepath-decision",
      type: `${SPIFF}:CalledDecisionId`, label: "Decision (a DMN of the draft)", options: () => context().decisions }));
  }
  if (is(element, "bpmn:DataObjectReference")) entries.push(entry("carepath-data-object", DataObjectRef, isSelectEntryEdited, element));
  if (entries.length) groups.push({ id: "carepath", label: "Care pathway", entries, shouldOpen: true });
  return groups;
}

class CarepathPropertiesProvider {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(500, this);
  }

  getGroups(element) {
    return (groups) => {
      const ours = groupsFor(element);
      const at = groups.findIndex((g) => g.id === "general");
      groups.splice(at >= 0 ? at + 1 : 0, 0, ...ours);
      return groups;
    };
  }
}
CarepathPropertiesProvider.$inject = ["propertiesPanel"];

export default {
  __init__: ["carepathPropertiesProvider"],
  carepathPropertiesProvider: ["type", CarepathPropertiesProvider],
};
