"""The pathway studio's speed, measured where it counts: in a real browser (Debian's Chromium, driven by
Playwright) against the web app served on a local port.

- studio_editor_open: from navigation to the editor ready (bpmn-js Modeler, properties panel, the diagram drawn)
  for the largest shipped program; target under 1 s. Server's share: the page and the file's request. Baseline:
  bpmn-js importing the same XML again in the same page (what the modeler alone costs).
- studio_lint_after_save: a save of a diagram (fetch from the page) until its lint findings are back, p95; target
  under 300 ms. Server's share: the lint time the server reports. Baseline: `carepath lint` of the same bundle in
  process (engine.authoring.lint, no web).

Skipped (with a line saying why) when Chromium, Playwright or the built studio script is missing.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from engine.care import accounts
from engine.care.actors import Actor
from engine.service import CarePathways

REPO = Path(__file__).resolve().parents[1]
PATHWAYS = REPO / "pathways"
BUILD = REPO / "webapp" / "static" / "build" / "studio.js"
CHROMIUM = os.environ.get("CAREPATH_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "bench-password-1"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        return f"Debian's chromium is not installed at {CHROMIUM}"
    if not BUILD.is_file():
        return f"the studio's script is not built ({BUILD}; npm run build)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def largest_program() -> str:
    """The biggest BPMN file of the library that is a program (not a test file)."""
    files = sorted(PATHWAYS.glob("bpmn/*.bpmn"), key=lambda p: p.stat().st_size)
    return f"bpmn/{files[-1].name}"


@contextmanager
def served():
    """The web app on 127.0.0.1 over a fresh SQLite database with the library deployed and a lead signed up;
    yields (base url, service, draft id)."""
    from werkzeug.serving import make_server

    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("CAREPATH_HOME", str(Path(tmp) / "instance"))
        service = CarePathways(f"sqlite:///{Path(tmp) / 'bench.db'}")
        service.init_db()
        with service.db.transaction() as session:
            accounts.create_user(session, "lead", PASSWORD, ["clinical_lead"], display_name="Bench Lead")
        service.deploy(PATHWAYS)
        draft_id = service.open_draft("pathways", Actor.person("lead", "clinical_lead"))
        app = create_app({"CAREPATH_SERVICE": service, "DATABASE_URL": "unused://", "SECRET_KEY": "bench",
                          "SESSION_COOKIE_SECURE": False})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", service, draft_id
        finally:
            server.shutdown()
            service.close()


@contextmanager
def browser_page(base: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login")
        page.fill("#username", "lead")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/inbox**")
        try:
            yield page
        finally:
            browser.close()


OPEN_TIMES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const file = performance.getEntriesByType('resource').find((r) => r.name.includes('/content/'));
  return { ready: Number(document.body.dataset.readyAt) - nav.startTime,
           server: (nav.responseEnd - nav.requestStart) + (file ? file.responseEnd - file.requestStart : 0) };
}"""

IMPORT_AGAIN = """async () => {
  const { xml } = await window.carepathModeler.saveXML({ format: true });
  const started = performance.now();
  await window.carepathModeler.importXML(xml);
  return performance.now() - started;
}"""

SAVE_AND_LINT = """async ([url, token, version, content]) => {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
    body: JSON.stringify({ content, base_version: version }) });
  const body = await response.json();
  return { ms: performance.now() - started, version: body.version, lint_ms: body.lint_ms, status: response.status };
}"""


def editor_open(emit, quick: bool) -> None:
    reason = _missing()
    if reason:
        print(json.dumps({"bench": "studio_editor_open", "skipped": reason}), flush=True)
        return
    path, rounds = largest_program(), (5 if quick else 15)
    with served() as (base, _service, draft_id), browser_page(base) as page:
        ready, server, baseline = [], [], []
        for _ in range(rounds + 1):
            page.goto(f"{base}/studio/drafts/{draft_id}?file={path}")
            page.wait_for_selector("body[data-editor-ready='1']")
            times = page.evaluate(OPEN_TIMES)
            ready.append(times["ready"])
            server.append(times["server"])
            baseline.append(page.evaluate(IMPORT_AGAIN))
        ready, server, baseline = ready[1:], server[1:], baseline[1:]  # the first round warms caches
    ours, base_ms = statistics.median(ready), statistics.median(baseline)
    emit("studio_editor_open", ours, "ms (navigation to editor ready, median)", base_ms, ours / base_ms,
         "p95 < 1000 ms", _p95(ready) < 1000, p95_ms=round(_p95(ready), 1), server_ms=round(statistics.median(server), 1),
         file=path, rounds=rounds)


def lint_after_save(emit, quick: bool) -> None:
    reason = _missing()
    if reason:
        print(json.dumps({"bench": "studio_lint_after_save", "skipped": reason}), flush=True)
        return
    from engine.authoring.lint import lint_bundle
    from engine.deploy.bundle import load_bundle

    saves = 20 if quick else 60
    path = "bpmn/ccm.bpmn"
    with served() as (base, service, draft_id), browser_page(base) as page:
        page.goto(f"{base}/studio/drafts/{draft_id}?file=bpmn/planning.bpmn")
        page.wait_for_selector("body[data-editor-ready='1']")
        token = page.get_attribute("meta[name='csrf-token']", "content")
        content, version = service.draft_file(draft_id, path, Actor.person("lead", "clinical_lead"))
        text = content.decode("utf-8")
        url = f"{base}/studio/drafts/{draft_id}/content/{path}"
        round_trips, server = [], []
        for number in range(saves + 2):
            name = "Patient referred for CCM" if number % 2 else f"Patient referred for CCM ({number})"
            edited = text.replace("Patient referred for CCM", name, 1)
            result = page.evaluate(SAVE_AND_LINT, [url, token, version, edited])
            assert result["status"] == 200, result
            version = result["version"]
            round_trips.append(result["ms"])
            server.append(result["lint_ms"])
        round_trips, server = round_trips[2:], server[2:]
    bundle = load_bundle(PATHWAYS)
    lint_bundle(bundle)
    direct = []
    for _ in range(5 if quick else 15):
        started = time.perf_counter()
        lint_bundle(bundle)
        direct.append((time.perf_counter() - started) * 1000)
    ours, base_ms = _p95(round_trips), statistics.median(direct)
    emit("studio_lint_after_save", ours, "ms (save to findings back, p95)", base_ms, ours / base_ms, "p95 < 300 ms",
         ours < 300, median_ms=round(statistics.median(round_trips), 1), server_lint_ms=round(_p95(server), 1),
         saves=saves)
