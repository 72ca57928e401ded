// The consoles' small helpers (every page works without them):
// - a bundle upload shows its progress (large bundles take a while), then the check's report;
// - a migration plan's page follows its dry run or run with a progress bar, and reloads when it is over;
// - "choose all" boxes; a confirmation before what cannot be undone; a busy note on slow buttons.
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------- upload
  var form = document.querySelector("form[data-upload]");
  if (form && window.XMLHttpRequest && window.FormData) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = document.getElementById("upload-progress");
      var bar = document.getElementById("upload-bar");
      var label = document.getElementById("upload-label");
      var button = form.querySelector("button[type=submit]");
      var request = new XMLHttpRequest();
      box.hidden = false;
      button.disabled = true;
      label.textContent = "Uploading…";
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.max = e.total; bar.value = e.loaded;
        label.textContent = "Uploading: " + Math.round(100 * e.loaded / e.total) + "% of " +
          (e.total / 1048576).toFixed(1) + " MB";
        if (e.loaded === e.total) {
          bar.removeAttribute("value");  // indeterminate while the server checks the bundle
          label.textContent = "Checking every file of the bundle…";
        }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (ignored) { /* a page, not JSON */ }
        if (request.status === 200 && answer && answer.report) { window.location.assign(answer.report); return; }
        button.disabled = false;
        box.hidden = false;
        bar.value = 0;
        label.textContent = (answer && answer.error) ? answer.error :
          "The upload failed (" + request.status + "). Please try again.";
        label.classList.add("error");
      });
      request.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = "The upload did not reach the server. Please try again.";
        label.classList.add("error");
      });
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.send(new FormData(form));
    });
  }

  // ---------------------------------------------------------------------------------------------- a plan's progress
  var plan = document.getElementById("plan");
  if (plan && ["planned", "checking", "queued", "running"].indexOf(plan.dataset.status) >= 0) {
    var planBar = document.getElementById("plan-bar");
    var summary = document.getElementById("plan-summary");
    var poll = function () {
      fetch(plan.dataset.progressUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.status === "checking" || p.status === "planned") {
            planBar.max = p.total || 1; planBar.value = p.checked;
            summary.textContent = p.checked + " of " + p.total + " instances checked, " + p.movable + " can move…";
          } else if (p.status === "queued" || p.status === "running") {
            planBar.max = p.checked || 1; planBar.value = p.done;
            summary.textContent = p.done + " of " + p.checked + " done, " + p.moved + " moved…";
          }
          if (p.status !== plan.dataset.status && ["checking", "running", "queued", "planned"].indexOf(p.status) < 0) {
            window.location.reload();
          } else {
            setTimeout(poll, 800);
          }
        })
        .catch(function () { setTimeout(poll, 2500); });
    };
    setTimeout(poll, 400);
  }

  // ---------------------------------------------------------------------------------------------- choose all
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    var name = all.dataset.checkAll;
    all.addEventListener("change", function () {
      document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });

  // ---------------------------------------------------------------------------------------------- confirm, busy
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (!window.confirm(f.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("form[data-busy]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var button = f.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = f.dataset.busy; }
    });
  });
})();
