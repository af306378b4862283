// Bed board: "Pilih tempat tidur" on a waiting client, then a click on a free bed that
// fits (sex, isolation) posts the placement. The server checks every rule again.
(function () {
  "use strict";
  var form = document.getElementById("choose-form");
  var hint = document.getElementById("choose-hint");
  if (!form) { return; }
  var beds = document.querySelectorAll(".bed-choice");
  var chosen = null;

  function fits(bed, person) {
    if (person.dataset.isolation) { return bed.dataset.roomKind === "isolation"; }
    return !bed.dataset.roomSex || bed.dataset.roomSex === person.dataset.sex;
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
