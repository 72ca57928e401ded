// Draw each pathway diagram on the page with bpmn-js (read only) and mark where the patient stands:
// the current step(s) highlighted, completed steps marked.
(function () {
  if (typeof BpmnJS === "undefined") return;
  // a diagram inside a closed <details> has no size yet: it is drawn when it is first opened
  document.querySelectorAll(".diagram[data-src]").forEach(function (box) {
    var closed = box.closest("details:not([open])");
    if (!closed) { draw(box); return; }
    closed.addEventListener("toggle", function once() {
      if (!closed.open) return;
      closed.removeEventListener("toggle", once);
      draw(box);
    });
  });

  function draw(box) {
    var viewer = new BpmnJS({container: box});
    fetch(box.dataset.src, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        // as tall as the diagram needs at this width (a long, flat program takes little room)
        var inner = canvas.viewbox().inner;
        if (inner.width > 0) {
          var wanted = box.clientWidth * inner.height / inner.width + 48;
          box.style.height = Math.round(Math.min(520, Math.max(160, wanted))) + "px";
          canvas.resized();
        }
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
  }
})();
