// Exit form: show the institution or the family part for the chosen exit type.
// (The confirmation "Keluarkan klien ini?" comes from app.js via data-confirm.)
(function () {
  "use strict";
  var form = document.getElementById("exit-form");
  if (!form) { return; }
  var select = form.querySelector("[name=exit_type]");
  var family = form.dataset.familyTypes.split(" ");
  var institution = form.dataset.institutionTypes.split(" ");
  function update() {
    var type = select.value;
    form.querySelector("[data-show-for=family]").hidden = family.indexOf(type) < 0;
    form.querySelector("[data-show-for=institution]").hidden = institution.indexOf(type) < 0;
  }
  select.addEventListener("change", update);
  update();
})();
