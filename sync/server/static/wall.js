/* The lobby display (/wall): shows one theme at a time and fetches a fresh view every few
   minutes. When the server is away the last view stays on screen and a note says so; the
   "Updated" time then still tells when the view was last fresh. Same-origin only; no inline
   script (our CSP forbids it). */
(function () {
  "use strict";
  var rotateMs = (Number(document.body.dataset.rotate) || 20) * 1000;
  var refreshMs = (Number(document.body.dataset.refresh) || 300) * 1000;
  var index = 0;

  function slides() { return document.querySelectorAll("#wall-slides > .slide"); }

  function show(next) {
    var all = slides();
    if (!all.length) { return; }
    index = next % all.length;
    all.forEach(function (s, i) { s.hidden = i !== index; });
    document.querySelectorAll(".dots span").forEach(function (d, i) {
      d.className = i === index ? "on" : "";
    });
  }

  function offline(on) {
    var note = document.getElementById("wall-offline");
    if (note) { note.hidden = !on; }
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    ["wall-slides", "wall-updated"].forEach(function (id) {
      var now = document.getElementById(id), next = fresh.getElementById(id);
      if (now && next) { now.replaceWith(document.importNode(next, true)); }
    });
    var foot = document.querySelector(".wall-foot"), freshFoot = fresh.querySelector(".wall-foot");
    if (foot && freshFoot) { foot.replaceWith(document.importNode(freshFoot, true)); }
    show(index);
  }

  function refresh() {
    fetch(window.location.href, { cache: "no-store", credentials: "omit" })
      .then(function (r) {
        if (!r.ok) { throw new Error("status " + r.status); }
        return r.text();
      })
      .then(function (html) { swap(html); offline(false); })
      .catch(function () { offline(true); });
  }

  setInterval(function () { show(index + 1); }, rotateMs);
  setInterval(refresh, refreshMs);
  window.addEventListener("online", refresh);
}());
