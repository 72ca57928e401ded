// The inbox keeps its tab counts current without a reload: every 30 seconds it asks the server for each tab's
// count and, when new work arrived in My tasks or one of my queues, says so quietly ("3 new tasks") with a
// link that shows it. It stops while the page is hidden and asks again when it is shown.
(function () {
  var tabs = document.querySelector(".tabs[data-pulse]");
  var notice = document.getElementById("new-work");
  if (!tabs || !notice || !window.fetch) return;
  var url = tabs.dataset.pulse;
  var counted = {};
  tabs.querySelectorAll("a[data-tab]").forEach(function (link) {
    var count = link.querySelector(".count");
    if (count) counted[link.dataset.tab] = parseInt(count.textContent, 10) || 0;
  });
  var seen = Object.assign({}, counted);

  function isNewWork(tab) { return tab === "mine" || tab.indexOf("role:") === 0; }

  function show(counts) {
    var arrived = 0;
    Object.keys(counts).forEach(function (tab) {
      var link = tabs.querySelector('a[data-tab="' + tab + '"]');
      var count = link && link.querySelector(".count");
      if (count) count.textContent = counts[tab];
      if (link && (tab === "overdue" || tab === "follow_up")) link.classList.toggle("alert", counts[tab] > 0);
      if (isNewWork(tab) && counts[tab] > (seen[tab] || 0)) arrived += counts[tab] - (seen[tab] || 0);
    });
    if (arrived > 0) {
      notice.textContent = "";
      var text = document.createTextNode(arrived + " new task" + (arrived === 1 ? "" : "s") + ". ");
      var link = document.createElement("a");
      link.href = window.location.href;
      link.textContent = "Show them";
      notice.appendChild(text);
      notice.appendChild(link);
      notice.hidden = false;
    }
  }

  function ask() {
    if (document.hidden) return;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (body) { show(body.counts || {}); })
      .catch(function () { /* signed out or offline: the next page load says so */ });
  }

  var every = parseInt(tabs.dataset.every || "30000", 10);
  setInterval(ask, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) ask(); });
})();
