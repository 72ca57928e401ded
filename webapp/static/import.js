// Poll an import's progress and reload the page when it has finished (so the refused rows show).
(function () {
  var box = document.getElementById("import");
  if (!box || ["queued", "running"].indexOf(box.dataset.status) < 0) return;
  var bar = document.getElementById("import-progress");
  var summary = document.getElementById("import-summary");
  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (p) {
      bar.max = p.total || 1; bar.value = p.done;
      summary.textContent = p.done + " of " + p.total + " rows checked, " + p.added + " added so far…";
      if (p.status === "done" || p.status === "failed") { window.location.reload(); } else { setTimeout(poll, 700); }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
