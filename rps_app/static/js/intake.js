// The intake form: many client rows (added several at once, taking the batch defaults),
// a typed NIK filling sex and birth date, a running count beside the save button, search
// before create, screening -> isolation, BAST number warning, and after a refused submit
// the first error in view. Without JavaScript the form still posts (one row at a time;
// the server applies the defaults and the NIK itself).
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

  // --- batch defaults: a new row takes them; changing one updates the rows that still
  // hold the old default (or nothing), never a value the officer chose ---------------
  var defaults = {};
  form.querySelectorAll("[data-default]").forEach(function (select) {
    defaults[select.dataset.default] = select;
  });
  var targets = { sex: "[data-sex]", pmks: "[data-pmks]" };

  function applyDefault(row, key, previous) {
    var select = row.querySelector(targets[key]);
    if (!select || !defaults[key]) { return; }
    if (select.value === "" || (select.dataset.auto === "default" && select.value === previous)) {
      select.value = defaults[key].value;
      select.dataset.auto = select.value ? "default" : "";
    }
  }

  Object.keys(defaults).forEach(function (key) {
    var select = defaults[key];
    select.dataset.previous = select.value;
    select.addEventListener("change", function () {
      allRows().forEach(function (row) { applyDefault(row, key, select.dataset.previous); });
      select.dataset.previous = select.value;
      updateCounts();
    });
  });

  function addRows(count) {
    var first = null;
    for (var n = 0; n < count; n++) {
      var html = template.innerHTML.replace(/__i__/g, String(nextIndex()));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.querySelector("[data-row]");
      rows.appendChild(row);
      Object.keys(defaults).forEach(function (key) { applyDefault(row, key, ""); });
      first = first || row;
    }
    renumber();
    updateCounts();
    if (first) { first.querySelector("[data-first]").focus(); }
  }

  var addCount = document.getElementById("add-count");
  document.getElementById("add-row").addEventListener("click", function () {
    var count = parseInt(addCount.value, 10);
    addRows(isNaN(count) || count < 1 ? 1 : Math.min(count, 50));
    addCount.value = "1";
  });

  // --- the running count beside the save button ---------------------------------------
  var counts = {};
  document.querySelectorAll("[data-count]").forEach(function (el) { counts[el.dataset.count] = el; });

  function updateCounts() {
    var tally = { all: 0, L: 0, P: 0, isolation: 0 };
    allRows().forEach(function (row) {
      tally.all += 1;
      var sex = row.querySelector("[data-sex]");
      if (sex && (sex.value === "L" || sex.value === "P")) { tally[sex.value] += 1; }
      if (row.querySelector("[data-needs-isolation]").checked) { tally.isolation += 1; }
    });
    Object.keys(tally).forEach(function (key) {
      if (counts[key]) { counts[key].textContent = String(tally[key]); }
    });
  }

  // --- a typed NIK fills sex and birth date and names its region ----------------------
  var regions = JSON.parse(rows.dataset.nikRegions || "{}");

  function decodeNik(nik) {
    if (!/^\d{16}$/.test(nik) || nik.slice(12) === "0000") { return null; }
    var day = parseInt(nik.slice(6, 8), 10), month = parseInt(nik.slice(8, 10), 10);
    var year = parseInt(nik.slice(10, 12), 10);
    var sex = day > 40 ? "P" : "L";
    if (day > 40) { day -= 40; }
    if (day < 1 || day > 31 || month < 1 || month > 12) { return null; }
    var now = new Date();
    var full = 2000 + year;
    var birth = new Date(full, month - 1, day);
    if (birth > now) { full -= 100; birth = new Date(full, month - 1, day); }
    var iso = birth.getDate() === day ? full + "-" + nik.slice(8, 10) + "-" +
      ("0" + day).slice(-2) : "";
    var province = (regions.provinces || {})[nik.slice(0, 2)];
    var regency = (regions.regencies || {})[nik.slice(0, 4)];
    var code = nik.slice(0, 2) + "." + nik.slice(2, 4);
    var region = regency ? regency + ", " + province : (province ? province + " (" + code + ")" : code);
    return { sex: sex, birth: iso, region: region };
  }

  function fillFromNik(row, input) {
    var decoded = decodeNik(input.value.trim());
    var hint = row.querySelector("[data-nik-region]");
    hint.textContent = decoded ? decoded.region : "";
    if (!decoded) { return; }
    var sex = row.querySelector("[data-sex]");
    if (sex.value === "" || sex.dataset.auto) {
      sex.value = decoded.sex;
      sex.dataset.auto = "nik";
    }
    var birth = row.querySelector("[data-birth-date]");
    if (decoded.birth && (birth.value === "" || birth.dataset.auto)) {
      birth.value = decoded.birth;
      birth.dataset.auto = "nik";
    }
    updateCounts();
  }

  rows.addEventListener("click", function (event) {
    var target = event.target;
    var row = target.closest("[data-row]");
    if (target.matches("[data-remove-row]") && allRows().length > 1) {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      updateCounts();
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
    if (target.matches("[data-sex], [data-pmks], [data-birth-date]")) {
      target.dataset.auto = "";  // the officer's own choice: defaults and NIK leave it
    }
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

  rows.addEventListener("change", updateCounts);
  rows.addEventListener("input", function (event) {
    if (event.target.matches("[data-nik]")) {
      fillFromNik(event.target.closest("[data-row]"), event.target);
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
    row.querySelectorAll("[data-identity]").forEach(function (part) { part.hidden = !!chosen; });
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

  // --- after a refused submit: the first problem in view ------------------------------
  function showFirstError() {
    var first = document.querySelector(".has-error, .row-has-error");
    if (!first) { return; }
    var details = first.closest("details");
    if (details) { details.open = true; }
    first.scrollIntoView({ block: "center" });
    var input = first.querySelector(".has-error input, .has-error select, .has-error textarea") ||
      first.querySelector("input:not([type=hidden]), select, textarea");
    if (input) { input.focus({ preventScroll: true }); }
  }

  allRows().forEach(function (row) {
    Object.keys(defaults).forEach(function (key) { applyDefault(row, key, ""); });
    var nik = row.querySelector("[data-nik]");
    if (nik && nik.value) {
      row.querySelector("[data-nik-region]").textContent =
        (decodeNik(nik.value.trim()) || {}).region || "";
    }
  });
  renumber();
  updateCounts();
  showFirstError();
})();
