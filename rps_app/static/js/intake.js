// The intake form: many client rows, search before create, screening -> isolation,
// BAST number warning. Without JavaScript the form still posts (one row at a time).
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var rows = document.getElementById("client-rows");
  var template = document.getElementById("client-row-template");

  function allRows() { return rows.querySelectorAll("[data-row]"); }

  function renumber() {
    var list = allRows();
    list.forEach(function (row, i) {
      row.querySelector("[data-row-number]").textContent = String(i + 1);
      row.querySelector("[data-remove-row]").hidden = list.length < 2;
    });
  }

  function nextIndex() {
    var max = -1;
    rows.querySelectorAll("[name^='clients-']").forEach(function (input) {
      var n = parseInt(input.name.split("-")[1], 10);
      if (!isNaN(n) && n > max) { max = n; }
    });
    return max + 1;
  }

  function addRow() {
    var html = template.innerHTML.replace(/__i__/g, String(nextIndex()));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.querySelector("[data-row]");
    rows.appendChild(row);
    renumber();
    row.querySelector("[data-first]").focus();
  }

  document.getElementById("add-row").addEventListener("click", addRow);

  rows.addEventListener("click", function (event) {
    var target = event.target;
    var row = target.closest("[data-row]");
    if (target.matches("[data-remove-row]") && allRows().length > 1) {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      if (next) { next.querySelector("[data-first]").focus(); }
    } else if (target.matches("[data-clear-returning]")) {
      setReturning(row, null);
    } else if (target.matches("[data-choose-client]")) {
      setReturning(row, { id: target.dataset.chooseClient, label: target.dataset.label });
    }
  });

  // Enter in a one-line field moves on instead of submitting the whole batch by accident.
  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || el.tagName === "TEXTAREA" || el.tagName === "BUTTON" ||
        el.type === "submit") { return; }
    event.preventDefault();
    var fields = Array.prototype.filter.call(form.elements, function (f) {
      return !f.disabled && f.type !== "hidden" && f.offsetParent !== null;
    });
    var at = fields.indexOf(el);
    if (at >= 0 && at + 1 < fields.length) { fields[at + 1].focus(); }
  });

  // --- screening: the flags that call for isolation tick it; the officer may untick ---
  rows.addEventListener("change", function (event) {
    var target = event.target;
    var row = target.closest("[data-row]");
    if (!row) { return; }
    var isolation = row.querySelector("[data-needs-isolation]");
    if (target === isolation) {
      isolation.dataset.auto = "";
    } else if (target.matches("[data-isolation-flag]")) {
      var any = Array.prototype.some.call(row.querySelectorAll("[data-isolation-flag]"),
                                          function (f) { return f.checked; });
      if (any && !isolation.checked) {
        isolation.checked = true;
        isolation.dataset.auto = "1";
      } else if (!any && isolation.dataset.auto === "1") {
        isolation.checked = false;
        isolation.dataset.auto = "";
      }
    }
  });

  // --- search before create ----------------------------------------------------------
  var searchUrl = rows.dataset.searchUrl;
  var csrfToken = form.querySelector("input[name=csrf_token]").value;
  var timer = null;

  function setReturning(row, chosen) {
    row.querySelector("[data-client-id]").value = chosen ? chosen.id : "";
    row.querySelector("[data-returning-label]").value = chosen ? chosen.label : "";
    row.querySelector("[data-returning-text]").textContent = chosen ? chosen.label : "";
    row.querySelector("[data-returning]").hidden = !chosen;
    row.querySelector("[data-identity]").hidden = !!chosen;
    row.querySelector("[data-suggestions]").hidden = true;
    if (!chosen) { row.querySelector("[data-first]").focus(); }
  }

  function describe(client) {
    var parts = [client.registration_number, client.name, client.sex];
    if (client.birth_year) { parts.push(rows.dataset.labelBorn + " " + client.birth_year); }
    return parts.join(" · ");
  }

  function show(row, results) {
    var list = row.querySelector("[data-suggestions]");
    list.textContent = "";
    results.forEach(function (client) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = describe(client);
      if (client.active_stay) {
        button.disabled = true;
        button.textContent += " (" + rows.dataset.labelActive + ")";
      } else {
        button.dataset.chooseClient = String(client.id);
        button.dataset.label = describe(client);
      }
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
  }

  rows.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.matches("[data-search]")) { return; }
    var row = target.closest("[data-row]");
    var q = target.value.trim();
    clearTimeout(timer);
    if (q.length < 3) { show(row, []); return; }
    timer = setTimeout(function () {
      // POST keeps the typed name out of URLs and logs.
      fetch(searchUrl, { method: "POST", credentials: "same-origin",
                         headers: { "Accept": "application/json",
                                    "Content-Type": "application/json",
                                    "X-CSRFToken": csrfToken },
                         body: JSON.stringify({ q: q }) })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (results) { show(row, results); })
        .catch(function () { show(row, []); });
    }, 250);
  });

  // --- BAST number used before? A warning, not a refusal ------------------------------
  var bast = form.querySelector("[data-bast-check]");
  if (bast) {
    bast.addEventListener("change", function () {
      var warning = form.querySelector("[data-bast-warning]");
      var number = bast.value.trim();
      if (!number) { warning.hidden = true; return; }
      fetch(bast.dataset.bastCheck + "?number=" + encodeURIComponent(number),
            { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { used: false }; })
        .then(function (answer) { warning.hidden = !answer.used; })
        .catch(function () { warning.hidden = true; });
    });
  }

  renumber();
})();
