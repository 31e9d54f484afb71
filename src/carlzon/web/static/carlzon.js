// carlzon dashboard: tiny progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Apply a filter as soon as a select changes.
  document.querySelectorAll("form.filters select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Case queue: tick every case at once; "/" focuses the search box.
  var all = document.getElementById("tick-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("#queue input[name=case_id]").forEach(function (b) { b.checked = all.checked; });
    });
  }
  var search = document.getElementById("f-q");
  if (search) {
    document.addEventListener("keydown", function (e) {
      var t = e.target && e.target.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT") { e.preventDefault(); search.focus(); }
    });
  }

  // Case page: "Use this reply" fills the note with the suggested reply and ticks "sent to the customer".
  var use = document.getElementById("use-reply");
  var note = document.getElementById("note-text");
  if (use && note) {
    use.addEventListener("click", function () {
      note.value = document.getElementById("suggested-reply").textContent.trim();
      var sent = document.getElementById("note-reply");
      if (sent) { sent.checked = true; }
      note.focus();
    });
  }

  // Case page: "Check my reply" runs the coach on the note, in place.
  var check = document.getElementById("check-reply");
  var out = document.getElementById("coach-result");
  if (check && note && out) {
    check.addEventListener("click", function () {
      var issue = document.getElementById("customer-text");
      out.textContent = "checking...";
      fetch("/api/coach", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": check.getAttribute("data-csrf")},
        body: JSON.stringify({text: note.value || " ", issue: issue ? issue.textContent : null})
      }).then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
        .then(function (res) {
          out.textContent = "";
          if (!res.ok) { out.textContent = (res.j.error || "could not check") + (res.j.fix ? " (" + res.j.fix + ")" : ""); return; }
          var h = document.createElement("p");
          h.id = "coach-score";
          h.textContent = "Score " + res.j.score + "/100";
          out.appendChild(h);
          var ul = document.createElement("ul");
          Object.keys(res.j.steps || {}).forEach(function (k) {
            var s = res.j.steps[k], li = document.createElement("li");
            li.textContent = (s.found ? "\u2713 " : "\u2717 ") + k + (s.found ? "" : ": " + s.tip);
            ul.appendChild(li);
          });
          (res.j.flags || []).forEach(function (f) {
            var li = document.createElement("li");
            li.textContent = "! " + f.kind + ": " + (f.words || []).join(", ") + " \u2192 " + f.tip;
            ul.appendChild(li);
          });
          out.appendChild(ul);
        })
        .catch(function () { out.textContent = "could not reach the coach"; });
    });
  }
})();
