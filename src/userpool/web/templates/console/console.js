// The activity view's live refresh: the rows again from the JSON feed every two seconds (text only, no HTML).
(function () {
  "use strict";
  var table = document.querySelector("table[data-feed]");
  var body = document.getElementById("activity-rows");
  var live = document.getElementById("live");
  if (!table || !body) { return; }
  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }
  function render(requests) {
    var rows = document.createDocumentFragment();
    requests.forEach(function (r) {
      var tr = document.createElement("tr");
      cell(tr, r.clock).title = r.time;
      var op = cell(tr, r.operation);
      if (r.door === "console") {
        var badge = document.createElement("span");
        badge.className = "badge neutral";
        badge.textContent = "console";
        op.appendChild(document.createTextNode(" "));
        op.appendChild(badge);
      }
      cell(tr, r.poolId, "mono");
      cell(tr, r.username);
      cell(tr, r.outcome, r.outcome === "ok" ? "outcome-ok" : "outcome-error");
      cell(tr, r.message, "message");
      cell(tr, r.milliseconds);
      rows.appendChild(tr);
    });
    if (!requests.length) {
      var empty = document.createElement("tr");
      var td = cell(empty, "No requests yet.", "empty");
      td.colSpan = 7;
      rows.appendChild(empty);
    }
    body.replaceChildren(rows);
  }
  function poll() {
    fetch(table.getAttribute("data-feed"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) { render(data.requests); live.textContent = "Live: updates every 2 seconds."; })
      .catch(function () { live.textContent = "Live updates paused (the server did not answer)."; })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
