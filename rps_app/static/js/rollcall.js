// Roll call: a row whose status is not "present" is highlighted as an exception.
document.addEventListener("change", function (event) {
  if (!event.target.matches('#rollcall-form input[type="radio"]')) { return; }
  var row = event.target.closest("tr");
  row.classList.toggle("exception", event.target.value !== "present");
});
