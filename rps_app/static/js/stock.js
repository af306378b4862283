// The stock page's keyboard flow: Alt+T and Alt+K jump to the receipt and issue forms'
// first field (the elements with that accesskey), in every browser alike (Firefox wants
// Alt+Shift for accesskeys, some keyboards lack it); the page itself focuses the form used
// last after each saved line (autofocus), so a delivery is typed line after line.
document.addEventListener("keydown", function (event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.key.length !== 1) return;
  var target = document.querySelector('[accesskey="' + event.key.toLowerCase() + '"]');
  if (!target) return;
  event.preventDefault();
  target.focus();
  target.scrollIntoView({block: "center"});
});

// Back from a saved line: the focused form is brought into view, unless the officer has
// already moved on (an Alt+K typed while the page was still loading kept its field: the
// focus was pulled back to the autofocused one, seen in a browser test under load).
document.addEventListener("DOMContentLoaded", function () {
  var focused = document.querySelector("main [autofocus]");
  var moved = document.activeElement && document.activeElement !== document.body &&
    document.activeElement !== focused;
  if (focused && !moved) { focused.focus(); focused.scrollIntoView({block: "center"}); }
});
