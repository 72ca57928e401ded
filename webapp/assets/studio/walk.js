// Test cases in the studio: run them (the path of a case drawn on the diagram, a failing case's step with the
// expected and actual data), and record a new case by walking through the pathway, choosing answers.
import { el, post, status } from "./api.js";

const pretty = (value) => JSON.stringify(value, null, 2);

export class TestsPanel {
  constructor(ctx, modeler, flush) {
    this.ctx = ctx;
    this.modeler = modeler;
    this.flush = flush;
    this.results = document.getElementById("test-results");
    this.walkBox = document.getElementById("walk");
    document.getElementById("run-tests")?.addEventListener("click", () => this.run());
    document.getElementById("walk-start")?.addEventListener("click", () => this.startWalk());
  }

  mark(path, marker) {
    const canvas = this.modeler.get("canvas");
    const registry = this.modeler.get("elementRegistry");
    registry.getAll().forEach((e) => { canvas.removeMarker(e.id, "path-step"); canvas.removeMarker(e.id, "path-open"); });
    (path || []).forEach((id) => registry.get(id) && canvas.addMarker(id, marker || "path-step"));
  }

  async run() {
    await this.flush();
    status("Running the draft's test cases…");
    this.results.replaceChildren(el("p", { class: "muted" }, "Running…"));
    try {
      const run = await post(this.ctx.urls.tests);
      document.body.dataset.testsPassed = String(run.passed);
      document.body.dataset.testsFailed = String(run.failed);
      status(`${run.passed} passed, ${run.failed} failed.`, run.failed ? "error" : "ok");
      const items = run.results.map((r) => this.resultRow(r));
      this.results.replaceChildren(el("p", { class: run.failed ? "bad" : "good" }, `${run.passed} passed, ${run.failed} failed`),
        el("ul", { class: "cases" }, items));
    } catch (error) {
      status(error.message, "error");
      this.results.replaceChildren(el("p", { class: "bad" }, error.message));
    }
  }

  resultRow(r) {
    if (!r.case) return el("li", { class: "case case-fail" }, r.message);
    const mine = r.bpmn === this.ctx.file.path;
    const details = [];
    if (!r.passed) {
      details.push(el("p", {}, `Step ${r.step}: ${r.steps[r.step - 1] || "start"}`), el("p", { class: "bad" }, r.message));
      if (r.expected !== null || r.actual !== null) {
        details.push(el("div", { class: "compare" },
          el("div", {}, el("h4", {}, "Expected"), el("pre", {}, pretty(r.expected))),
          el("div", {}, el("h4", {}, "Actual"), el("pre", {}, pretty(r.actual)))));
      }
    }
    return el("li", { class: `case ${r.passed ? "case-pass" : "case-fail"}`, "data-case": r.case },
      el("span", { class: "verdict" }, r.passed ? "pass" : "FAIL"), " ",
      el("button", { type: "button", class: "link", disabled: !mine,
        title: mine ? "Draw the path on the diagram" : `Open ${r.bpmn} to see its path`,
        onclick: () => this.mark(r.path) }, `${r.file.split("/").pop()} · ${r.case}`),
      details);
  }

  // ------------------------------------------------------------------------------------------ walk and record
  startWalk() {
    this.walkCase = { tasks: {}, steps: [], start_data: {} };
    this.walkBox.hidden = false;
    this.walk();
  }

  async walk(answer = null, card = null) {
    try {
      const outcome = await post(this.ctx.urls.walk, { file: this.ctx.file.path, case: this.walkCase, answer });
      if (outcome.case) this.walkCase = outcome.case;
      this.outcome = outcome;
      this.mark(outcome.path);
      this.renderWalk(outcome);
    } catch (error) {
      if (card && error.data && error.data.html !== undefined) {  // the form refused these answers: shown again
        card.querySelector(".walk-form").innerHTML = error.data.html;  // drawn and escaped by the server's forms
        this.loadFormsScript();
        status(error.message, "error");
        return;
      }
      this.walkBox.replaceChildren(el("p", { class: "bad" }, error.message), this.startDataBox());
    }
  }

  loadFormsScript() {  // forms.js shows and hides conditional fields and adds rows, as on a task page
    const script = document.createElement("script");
    script.src = `${this.ctx.urls.formsScript}?v=${Date.now()}`;
    document.body.append(script);
  }

  startDataBox() {
    const area = el("textarea", { rows: 3, class: "code", "aria-label": "Start data (JSON)" }, pretty(this.walkCase.start_data));
    return el("details", {}, el("summary", {}, "Start data"), area,
      el("button", { type: "button", class: "button", onclick: () => {
        try { this.walkCase.start_data = JSON.parse(area.value || "{}"); this.walkCase.tasks = {}; this.walkCase.steps = []; this.walk(); }
        catch (e) { status(`Start data is not JSON: ${e.message}`, "error"); }
      } }, "Start again with this data"));
  }

  renderWalk(o) {
    const parts = [el("p", {}, `Now ${o.now}: the pathway is ${o.status}; ${o.tasks_done} task(s) done.`)];
    if (o.message) parts.push(el("p", { class: "bad" }, o.message));
    o.open_tasks.forEach((task, number) => parts.push(this.taskCard(task, number)));
    const timers = o.waiting.filter((w) => w.kind === "timer");
    const messages = o.waiting.filter((w) => w.kind === "message");
    if (timers.length) {
      const next = timers.map((t) => t.due_at).sort()[0];
      const days = Math.max(1, Math.ceil((Date.parse(next) - Date.parse(o.now)) / 86400000));
      const input = el("input", { type: "text", value: `P${days}D`, size: 8, "aria-label": "How long" });
      parts.push(el("div", { class: "walk-step" }, `Waiting for ${timers.map((t) => t.name || t.element).join(", ")} (next due ${next}). `,
        "Let time pass: ", input, " ",
        el("button", { type: "button", class: "button", onclick: () => {
          this.walkCase.steps.push({ advance: input.value.trim(), after_tasks: o.tasks_done }); this.walk();
        } }, "Go")));
    }
    for (const wait of messages) {
      const payload = el("textarea", { rows: 3, class: "code", "aria-label": `Payload of ${wait.message}` }, "{}");
      parts.push(el("div", { class: "walk-step" }, `Waiting for message ${wait.message}. Payload: `, payload,
        el("button", { type: "button", class: "button", onclick: () => {
          try {
            this.walkCase.steps.push({ message: wait.message, payload: JSON.parse(payload.value || "{}"), after_tasks: o.tasks_done });
            this.walk();
          } catch (e) { status(`The payload is not JSON: ${e.message}`, "error"); }
        } }, "Send")));
    }
    parts.push(this.saveBox(o), this.startDataBox());
    this.walkBox.replaceChildren(...parts);
    if (o.open_tasks.some((t) => t.html)) this.loadFormsScript();
  }

  taskCard(task, number) {
    const area = el("textarea", { rows: 6, class: "code", "aria-label": `Answers for ${task.title}` }, pretty(task.suggested || {}));
    const formBox = el("div", { class: "walk-form preview" });
    formBox.innerHTML = task.html || "";  // drawn by the server's forms package (escaped there), as care managers see it
    const card = el("div", { class: "walk-task", "data-task": task.key });
    formBox.addEventListener("submit", (event) => { event.preventDefault(); byForm(); });
    const byJson = () => {
      try {
        const answers = JSON.parse(area.value || "{}");
        (this.walkCase.tasks[task.key] ||= { data: [] }).data.push(answers);
        this.walk();
      } catch (e) { status(`The answers are not JSON: ${e.message}`, "error"); }
    };
    const byForm = () => {
      const form = formBox.querySelector("form");
      const pairs = form ? [...new FormData(form).entries()].filter(([k]) => k !== "csrf_token" && k !== "action") : [];
      this.walk({ key: task.key, schema: task.schema, ui_schema: task.ui_schema, data: task.data, post: pairs,
        prefix: `walk${number}` }, card);
    };
    card.append(
      el("h4", {}, `${task.title} `, el("span", { class: "muted" }, `(${task.role || "anyone"} · ${task.stage})`)),
      task.html ? el("p", { class: "muted" }, `Form ${task.form}, as the care manager sees it (suggested answers filled in; change them to take another branch).`) : null,
      task.html ? formBox : null,
      task.html ? el("button", { type: "button", class: "button primary", onclick: byForm }, "Complete task") : null,
      el("details", { open: !task.html }, el("summary", {}, "Or give the answers as JSON"), area,
        el("button", { type: "button", class: "button", onclick: byJson }, task.html ? "Complete with this JSON" : "Complete task")));
    return card;
  }

  saveBox(o) {
    const name = el("input", { type: "text", name: "case-name", placeholder: "case_name", "aria-label": "Case name" });
    const description = el("input", { type: "text", placeholder: "What the case shows", "aria-label": "Description", size: 40 });
    return el("div", { class: "walk-save" }, "Save this walk as a test case: ", name, " ", description, " ",
      el("button", { type: "button", class: "button primary", onclick: async () => {
        const scalars = Object.fromEntries(Object.entries(o.data).filter(([k, v]) => k !== "patient_id"
          && ["string", "number", "boolean"].includes(typeof v)));
        const body = { ...this.walkCase, description: description.value.trim(), expected_status: o.status === "completed" ? "completed" : "waiting",
          expected_path: o.path, expected_tasks: o.tasks, expected_data: scalars };
        if (!Object.keys(body.start_data).length) delete body.start_data;
        try {
          const saved = await post(this.ctx.urls.saveCase, { file: this.ctx.file.path, name: name.value.trim(), case: body });
          status(`Saved case ${name.value.trim()} in ${saved.path} (version ${saved.version}).`, "ok");
          document.body.dataset.caseSaved = name.value.trim();
        } catch (error) { status(error.message, "error"); }
      } }, "Save case"));
  }
}
