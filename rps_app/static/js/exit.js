// Exit form: show the institution or the family part for the chosen exit type, and offer
// only the institutions of that kind (panti, balai or hospital: one <optgroup> each).
// (The confirmation "Keluarkan klien ini?" comes from app.js via data-confirm.)
(function () {
  "use strict";
  var form = document.getElementById("exit-form");
  if (!form) { return; }
  var select = form.querySelector("[name=exit_type]");
  var family = form.dataset.familyTypes.split(" ");
  var institution = form.dataset.institutionTypes.split(" ");
  var target = form.querySelector("[name=institution_id]");
  // Groups are taken out of the select rather than hidden: a hidden <option> can still be
  // picked with the keyboard in some browsers.
  var groups = Array.prototype.slice.call(target.querySelectorAll("optgroup[data-kind]"));
  var emptyHints = form.querySelectorAll("[data-empty-kind]");
  function update() {
    var type = select.value;
    form.querySelector("[data-show-for=family]").hidden = family.indexOf(type) < 0;
    form.querySelector("[data-show-for=institution]").hidden = institution.indexOf(type) < 0;
    groups.forEach(function (group) {
      var match = group.dataset.kind === type;
      if (match && !group.parentNode) { target.appendChild(group); }
      if (!match && group.parentNode) {
        if (group.contains(target.selectedOptions[0])) { target.value = ""; }
        group.remove();
      }
    });
    Array.prototype.forEach.call(emptyHints, function (hint) {
      hint.hidden = hint.dataset.emptyKind !== type;
    });
  }
  // A letter while the head's name or NIP is missing in the letter settings: say so in
  // the confirmation before submitting (the panel above the form says it too).
  var missing = document.querySelector("[data-signatory-missing]");
  var plainConfirm = form.dataset.confirm;
  function updateConfirm() {
    var type = select.value;
    var letter = family.indexOf(type) >= 0 || institution.indexOf(type) >= 0;
    form.dataset.confirm = missing && letter ? missing.dataset.confirmLetter : plainConfirm;
  }
  // The accepted referral of the chosen institution (if any) is offered and picked.
  var referral = form.querySelector("[name=referral_id]");
  var referrals = referral ? Array.prototype.slice.call(
    referral.querySelectorAll("option[data-institution]")) : [];
  function offerReferral() {
    if (!referral) { return; }
    var match = null;
    referrals.forEach(function (option) {
      var fits = option.dataset.institution === target.value;
      if (fits && !option.parentNode) { referral.appendChild(option); }
      if (!fits && option.parentNode) { option.remove(); }
      if (fits) { match = option; }
    });
    if (match && !referral.value) { referral.value = match.value; }
    if (!match) { referral.value = ""; }
    document.getElementById("referral-field").hidden = !match;
  }
  select.addEventListener("change", function () { update(); offerReferral(); updateConfirm(); });
  target.addEventListener("change", offerReferral);
  update();
  offerReferral();
  updateConfirm();
})();
