// A queued or running match run's page: ask its progress every second, show the step reached, and load
// the page again (with the result) once the run is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("run-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var label = document.getElementById("run-progress-step");
  var bar = document.getElementById("run-progress-bar");
  var steps = JSON.parse(box.getAttribute("data-steps"));
  function show(state) {
    var index = steps.indexOf(state.step);
    if (label) { label.textContent = state.step_label || state.step || ""; }
    if (bar && index >= 0) { bar.value = index; }
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        show(state);
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
