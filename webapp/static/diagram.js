// Draw each pathway diagram on the page with bpmn-js (read only) and mark where the patient stands:
// the current step(s) highlighted, completed steps marked.
(function () {
  if (typeof BpmnJS === "undefined") return;
  document.querySelectorAll(".diagram[data-src]").forEach(function (box) {
    var viewer = new BpmnJS({container: box});
    fetch(box.dataset.src, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        function mark(ids, marker) {
          (ids || "").split(" ").filter(Boolean).forEach(function (id) {
            if (registry.get(id)) canvas.addMarker(id, marker);
          });
        }
        mark(box.dataset.done, "step-done");
        mark(box.dataset.current, "step-current");
        box.classList.add("ready");
      })
      .catch(function (err) {
        box.textContent = "The diagram could not be drawn (" + err.message + ").";
        box.classList.add("failed");
      });
  });
})();
