// The roster grid: Enter in a cell's select adds the chosen officer; choosing with the
// mouse adds at once; Alt + arrow keys move between cells.
(function () {
  var grid = document.getElementById("roster-grid");
  if (!grid) { return; }
  var pointer = false;
  grid.addEventListener("mousedown", function () { pointer = true; });
  grid.addEventListener("keydown", function (event) {
    pointer = false;
    var select = event.target.closest(".cell-select");
    if (!select) { return; }
    if (event.key === "Enter" && select.value) {
      event.preventDefault();
      select.form.requestSubmit();
      return;
    }
    if (!event.altKey) { return; }
    var cell = select.closest("td[data-cell]");
    var parts = cell.dataset.cell.split("-").map(Number);
    var moves = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
    var move = moves[event.key];
    if (!move) { return; }
    event.preventDefault();
    var next = grid.querySelector('td[data-cell="' + (parts[0] + move[0]) + "-" + (parts[1] + move[1]) + '"] .cell-select');
    if (next) { next.focus(); }
  });
  grid.addEventListener("change", function (event) {
    var select = event.target.closest(".cell-select");
    if (select && pointer && select.value) { select.form.requestSubmit(); }
  });
})();
