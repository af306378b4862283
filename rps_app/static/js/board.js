// Bed board: filters over the server-rendered data attributes (children, isolation, near
// or over the stay limit, name) without a page load and without putting anything in the
// URL; and "Pilih tempat tidur" on a waiting client, then a click on one of the free beds
// the server says fit that client (data-fits: the placement rules' decision, bed ids)
// posts the placement. The rules live on the server only; it checks them again on post.
(function () {
  "use strict";
  var filters = document.getElementById("board-filters");
  if (!filters) { return; }
  filters.hidden = false;
  var inputs = filters.querySelectorAll("[data-filter]");
  var people = document.querySelectorAll("[data-bed-state=occupied], [data-queue-stay]");
  var counter = filters.querySelector("[data-filter-count]");

  function matches(el, wanted) {
    if (wanted.minor && !el.dataset.minor) { return false; }
    if (wanted.isolation && !el.dataset.isolation) { return false; }
    if (wanted.limit && !el.dataset.limit) { return false; }
    if (wanted.name && (el.dataset.name || "").indexOf(wanted.name) < 0) { return false; }
    return true;
  }

  function apply() {
    var wanted = {};
    var active = false;
    inputs.forEach(function (input) {
      var value = input.type === "checkbox" ? input.checked : input.value.trim().toLowerCase();
      wanted[input.dataset.filter] = value;
      active = active || !!value;
    });
    var shown = 0;
    people.forEach(function (el) {
      var hit = matches(el, wanted);
      el.classList.toggle("filtered-out", active && !hit);
      if (active && hit) { shown += 1; }
    });
    // Free and unusable beds step back while a filter is on; rooms with no match hide.
    document.querySelectorAll(".bed:not([data-bed-state=occupied])").forEach(function (bed) {
      bed.classList.toggle("filtered-out", active);
    });
    document.querySelectorAll("[data-room]").forEach(function (room) {
      room.hidden = active && !room.querySelector("[data-bed-state=occupied]:not(.filtered-out)");
    });
    counter.textContent = active ? counter.dataset.template.replace("%n", String(shown)) : "";
  }

  inputs.forEach(function (input) {
    input.addEventListener(input.type === "checkbox" ? "change" : "input", apply);
  });
  apply();
})();

(function () {
  "use strict";
  var form = document.getElementById("choose-form");
  var hint = document.getElementById("choose-hint");
  if (!form) { return; }
  var beds = document.querySelectorAll(".bed-choice");
  var chosen = null;

  function fits(bed, person) {
    return (person.dataset.fits || "").split(" ").indexOf(bed.dataset.bed) !== -1;
  }

  function stop() {
    chosen = null;
    hint.hidden = true;
    beds.forEach(function (bed) { bed.disabled = true; bed.classList.remove("choosable"); });
    document.querySelectorAll("[data-choose-stay]").forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("[data-choose-stay]")) {
      stop();
      chosen = target;
      target.setAttribute("aria-pressed", "true");
      hint.hidden = false;
      var first = null;
      beds.forEach(function (bed) {
        if (fits(bed, target)) {
          bed.disabled = false;
          bed.classList.add("choosable");
          first = first || bed;
        }
      });
      if (first) { first.focus(); }
    } else if (target.matches(".bed-choice") && chosen) {
      form.action = chosen.dataset.action;
      form.querySelector("[name=bed_id]").value = target.dataset.bed;
      form.submit();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && chosen) { stop(); }
  });
})();
