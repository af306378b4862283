// Bed board: "Pilih tempat tidur" on a waiting client, then a click on one of the free beds
// the server says fit that client (data-fits: the placement rules' decision, bed ids)
// posts the placement. The rules live on the server only; it checks them again on post.
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
