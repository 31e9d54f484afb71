// carlzon dashboard: tiny progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Apply a filter as soon as a select changes.
  document.querySelectorAll("form.filters select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();
