// Small helpers written here (no CDN): confirmation before destructive actions, and forms
// marked data-saving that say they are saving and cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || form.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.saving === undefined) { return; }
  if (form.dataset.submitting) {  // a second click while the first is on its way
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  if (button && button.name) {  // a disabled button is not sent: keep its value
    var kept = document.createElement("input");
    kept.type = "hidden"; kept.name = button.name; kept.value = button.value;
    form.appendChild(kept);
  }
  form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])")
    .forEach(function (each) {
      each.disabled = true;
      each.setAttribute("aria-busy", "true");
      if (each === button || !button) {
        each.dataset.label = each.textContent;
        each.textContent = form.dataset.saving;
      }
    });
});
// Back to a page from the browser's cache: its form may be sent again (with its key).
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) { return; }
  document.querySelectorAll("form[data-submitting]").forEach(function (form) {
    delete form.dataset.submitting;
    form.querySelectorAll("[aria-busy=true]").forEach(function (each) {
      each.disabled = false;
      each.removeAttribute("aria-busy");
      if (each.dataset.label) { each.textContent = each.dataset.label; }
    });
  });
});
document.addEventListener("click", function (event) {
  if (event.target.matches("[data-print]")) { window.print(); }
});
