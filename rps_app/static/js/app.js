// Small helpers written here (no CDN): confirmation before destructive actions.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.matches("[data-print]")) { window.print(); }
});
