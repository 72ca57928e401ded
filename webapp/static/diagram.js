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
        mark(box.dataset.failed, "step-failed");
        // a wide pathway fitted into the box would shrink its text past reading: keep it readable, centred on
        // where the patient is now (or its start), and let the person drag to see the rest
        var readable = box.clientWidth < 600 ? 0.55 : 0.7;
        if (canvas.zoom() < readable) {
          canvas.zoom(readable);
          var focus = (box.dataset.current || "").split(" ").filter(Boolean).map(function (id) {
            return registry.get(id);
          }).filter(Boolean)[0] || registry.filter(function (e) { return e.type === "bpmn:StartEvent"; })[0];
          if (focus) {  // centred on it, as far as the diagram goes
            var box2 = canvas.viewbox(), whole = box2.inner;
            var x = focus.x + focus.width / 2 - box2.width / 2, y = focus.y + focus.height / 2 - box2.height / 2;
            x = Math.max(whole.x - 20, Math.min(x, whole.x + whole.width - box2.width + 20));
            y = Math.max(whole.y - 20, Math.min(y, whole.y + whole.height - box2.height + 20));
            canvas.viewbox({x: x, y: y, width: box2.width, height: box2.height});
          }
          box.classList.add("pannable");
        }
        box.classList.add("ready");
      })
      .catch(function (err) {
        box.textContent = "The diagram could not be drawn (" + err.message + ").";
        box.classList.add("failed");
      });
  }
})();
