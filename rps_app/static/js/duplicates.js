// The intake form's duplicate check: when a row's name, sex, age or origin changes, ask
// the server (POST, the name never in a URL) for clients on file that are likely the same
// person, and offer them as "returning client" choices (intake.js handles the choice).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  var rows = document.getElementById("client-rows");
  if (!form || !rows || !rows.dataset.duplicatesUrl) { return; }
  var url = rows.dataset.duplicatesUrl;
  var csrfToken = form.querySelector("input[name=csrf_token]").value;
  var watched = /-(name|sex|estimated_age|birth_date|origin_regency)$/;

  function value(row, suffix) {
    var input = row.querySelector("[name$='-" + suffix + "']");
    return input && input.value.trim() ? input.value.trim() : null;
  }

  function show(row, results) {
    var box = row.querySelector("[data-duplicates-box]");
    var list = row.querySelector("[data-duplicates]");
    if (!box || !list) { return; }
    list.textContent = "";
    results.forEach(function (client) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      var label = [client.registration_number, client.name, client.sex,
                   client.age + " th", client.origin_regency || "-"].join(" · ");
      button.type = "button";
      button.className = "link";
      button.textContent = label + " (" + Math.round(client.score * 100) + "%)";
      if (client.active_stay_id) {
        button.disabled = true;
        button.textContent += " (" + rows.dataset.labelActive + ")";
      } else {
        button.dataset.chooseClient = String(client.id);
        button.dataset.label = label;
      }
      item.appendChild(button);
      list.appendChild(item);
    });
    box.hidden = results.length === 0;
  }

  rows.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.name || !watched.test(target.name)) { return; }
    var row = target.closest("[data-row]");
    var name = value(row, "name");
    if (!name || name.length < 3) { show(row, []); return; }
    var age = value(row, "estimated_age");
    var body = { name: name, sex: value(row, "sex"), birth_date: value(row, "birth_date"),
                 estimated_age: age && /^\d+$/.test(age) ? parseInt(age, 10) : null,
                 origin_regency: value(row, "origin_regency") };
    fetch(url, { method: "POST", credentials: "same-origin",
                 headers: { "Accept": "application/json", "Content-Type": "application/json",
                            "X-CSRFToken": csrfToken },
                 body: JSON.stringify(body) })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (results) { show(row, results); })
      .catch(function () { show(row, []); });
  });
})();
