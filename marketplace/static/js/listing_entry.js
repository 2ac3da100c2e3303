// The listing form: material autocomplete from the knowledge base, the chosen material's quality fields and
// standard grades, and a question before leaving a form with typed data. Plain JS, no library.
// The quality fields write the same "key=value; key=value" text the field takes without this script, so the
// server reads one format (services/listings.check_listing); keys the fields do not show are kept as typed.
(function () {
  "use strict";
  var form = document.getElementById("listing-form");
  if (!form) return;
  var kind = form.dataset.kind;
  var material = form.querySelector("[name=material]");
  var list = document.getElementById("material-choices");
  var quality = form.querySelector("[name=quality]");
  var qualityText = document.getElementById("quality-text");
  var fieldset = document.getElementById("quality-fields");
  var gradesBox = document.getElementById("quality-grades");
  var inputsBox = document.getElementById("quality-inputs");
  var legend = document.getElementById("quality-legend");
  var text = form.dataset;
  var dirty = false;
  var active = -1;
  var choiceTimer = null;
  var qualityTimer = null;
  var shownFor = null;
  var structuredKeys = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // ------------------------------------------------------------------ which line the caret is on
  function currentLine() {
    var value = material.value;
    if (kind !== "want") return { start: 0, end: value.length, text: value };
    var caret = material.selectionStart || 0;
    var start = value.lastIndexOf("\n", caret - 1) + 1;
    var end = value.indexOf("\n", caret);
    if (end < 0) end = value.length;
    return { start: start, end: end, text: value.slice(start, end) };
  }

  function firstName() {
    var lines = material.value.split(/\n|\|/).map(function (s) { return s.trim(); }).filter(Boolean);
    return lines.length ? lines[0] : "";
  }

  // ------------------------------------------------------------------ autocomplete
  function closeChoices() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    material.setAttribute("aria-expanded", "false");
  }

  function showChoices(materials) {
    list.innerHTML = "";
    active = -1;
    if (!materials.length) {
      list.appendChild(el("div", { "class": "list-group-item small text-muted", text: text.textNoMatch }));
    }
    materials.forEach(function (choice) {
      var other = choice.name === choice.name_zh ? choice.name_en : choice.name_zh;
      var item = el("button", { type: "button", "class": "list-group-item list-group-item-action material-choice",
                                role: "option", "data-code": choice.code, "data-name": choice.name }, [
        el("span", { "class": "choice-name", text: choice.name }),
        el("span", { "class": "text-muted small", text: " · " + other }),
      ]);
      if (choice.matched !== choice.name_zh && choice.matched !== choice.name_en) {
        item.appendChild(el("span", { "class": "text-muted small", text: " (" + choice.matched + ")" }));
      }
      item.appendChild(el("code", { "class": "small ms-2", text: choice.code }));
      item.addEventListener("mousedown", function (event) { event.preventDefault(); });
      item.addEventListener("click", function () { choose(choice.name); });
      list.appendChild(item);
    });
    list.hidden = false;
    material.setAttribute("aria-expanded", "true");
  }

  function choose(name) {
    var line = currentLine();
    var value = material.value;
    material.value = value.slice(0, line.start) + name + value.slice(line.end);
    var caret = line.start + name.length;
    material.setSelectionRange(caret, caret);
    closeChoices();
    dirty = true;
    loadQuality();
  }

  function askChoices() {
    var typed = currentLine().text.trim();
    if (!typed) { closeChoices(); return; }
    fetch(text.choicesUrl + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { materials: [] }; })
      .then(function (data) {
        if (currentLine().text.trim() === typed && document.activeElement === material) showChoices(data.materials);
      })
      .catch(closeChoices);
  }

  function highlight(step) {
    var items = list.querySelectorAll(".material-choice");
    if (!items.length) return;
    active = (active + step + items.length) % items.length;
    items.forEach(function (item, i) { item.classList.toggle("active", i === active); });
    items[active].scrollIntoView({ block: "nearest" });
  }

  material.setAttribute("autocomplete", "off");
  material.setAttribute("aria-autocomplete", "list");
  material.setAttribute("aria-controls", "material-choices");
  material.addEventListener("input", function () {
    clearTimeout(choiceTimer);
    choiceTimer = setTimeout(askChoices, 150);
    clearTimeout(qualityTimer);
    qualityTimer = setTimeout(loadQuality, 500);
  });
  material.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { highlight(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { highlight(-1); event.preventDefault(); }
    else if (event.key === "Escape") { closeChoices(); event.preventDefault(); }
    else if (event.key === "Enter" && active >= 0) {
      choose(list.querySelectorAll(".material-choice")[active].dataset.name);
      event.preventDefault();
    }
  });
  material.addEventListener("blur", function () { setTimeout(closeChoices, 100); loadQuality(); });

  // ------------------------------------------------------------------ quality fields
  function pairs() {
    return quality.value.split(/[;；\n]+/).map(function (part) {
      var match = part.match(/^\s*([^=:：]+?)\s*[=:：]\s*(.+?)\s*$/);
      return match ? { key: match[1], value: match[2] } : null;
    }).filter(Boolean);
  }

  function baseKey(key) {
    return key.toLowerCase().replace(/_(min|max)$/, "");
  }

  function writeText() {
    var kept = pairs().filter(function (pair) { return structuredKeys.indexOf(baseKey(pair.key)) < 0; });
    var written = [];
    fieldset.querySelectorAll("[data-write-as]").forEach(function (input) {
      if (input.value.trim() !== "") written.push(input.dataset.writeAs + "=" + input.value.trim());
    });
    quality.value = written.concat(kept.map(function (pair) { return pair.key + "=" + pair.value; })).join("; ");
    dirty = true;
  }

  function number(value) {
    return String(Math.round(value * 1000) / 1000);
  }

  function fillGrade(select, table) {
    var option = table.options.filter(function (o) { return o.name === select.value; })[0];
    if (!option) { writeText(); return; }
    Object.keys(option.values).forEach(function (key) {
      var input = inputsBox.querySelector("[data-key='" + key + "']");
      if (input) input.value = number(option.values[key]);
    });
    writeText();
  }

  function render(data) {
    gradesBox.innerHTML = "";
    inputsBox.innerHTML = "";
    structuredKeys = [];
    if (!data.fields.length) {
      fieldset.hidden = true;
      qualityText.hidden = false;
      return;
    }
    legend.textContent = text.textQualityFor.replace("{material}", data.name);
    var stated = {};
    pairs().forEach(function (pair) { stated[pair.key.toLowerCase()] = pair.value; });
    Object.keys(data.stated).forEach(function (key) {
      if (!(key in stated)) stated[key] = data.stated[key];
    });
    var gradeKeys = data.grades.map(function (table) { return table.key; }).filter(Boolean);
    data.grades.forEach(function (table) {
      var id = "grade-" + table.id;
      var select = el("select", { id: id, "class": "form-select quality-grade", "data-table": table.id });
      if (table.key) { select.dataset.writeAs = table.key; structuredKeys.push(table.key); }
      select.appendChild(el("option", { value: "", text: text.textGrade }));
      table.options.forEach(function (option) {
        select.appendChild(el("option", { value: option.name, text: option.label }));
      });
      if (table.key && stated[table.key]) {
        var wanted = String(stated[table.key]).toLowerCase();
        table.options.forEach(function (option) { if (option.name.toLowerCase() === wanted) select.value = option.name; });
      }
      select.addEventListener("change", function () { fillGrade(select, table); });
      gradesBox.appendChild(el("div", { "class": "col-md-6 mb-2" }, [
        el("label", { "for": id, "class": "form-label", text: table.label }), select]));
    });
    data.fields.forEach(function (field) {
      if (gradeKeys.indexOf(field.key) >= 0) return;
      structuredKeys.push(field.key);
      var id = "quality-" + field.key;
      var input;
      if (field.kind === "category") {
        input = el("select", { "class": "form-select" });
        input.appendChild(el("option", { value: "", text: "—" }));
        field.values.forEach(function (value) {
          input.appendChild(el("option", { value: value, text: (field.value_labels || {})[value] || value }));
        });
      } else {
        input = el("input", { type: "text", "class": "form-control", inputmode: field.kind === "number" ? "decimal" : "text" });
      }
      input.id = id;
      input.dataset.key = field.key;
      input.dataset.writeAs = field.write_as;
      var value = stated[field.write_as.toLowerCase()] || stated[field.key.toLowerCase()];
      if (value !== undefined) {
        if (field.kind === "category") {
          field.values.forEach(function (v) { if (v.toLowerCase() === String(value).toLowerCase()) input.value = v; });
        } else {
          input.value = value;
        }
      }
      input.addEventListener("change", writeText);
      var label = field.label + (field.op === "<=" ? " (" + text.textAtMost + ")" : field.op === ">=" ? " (" + text.textAtLeast + ")" : "");
      var control = field.unit ? el("div", { "class": "input-group" }, [input,
        el("span", { "class": "input-group-text", text: field.unit })]) : input;
      inputsBox.appendChild(el("div", { "class": "col-md-6 mb-2 quality-field" }, [
        el("label", { "for": id, "class": "form-label", text: label }), control]));
    });
    fieldset.hidden = false;
    // The text stays in view when it holds what the fields do not show, or when the server found it wrong.
    var others = pairs().filter(function (pair) { return structuredKeys.indexOf(baseKey(pair.key)) < 0; });
    var refused = qualityText.querySelector(".invalid-feedback");
    qualityText.hidden = !(others.length || refused);
    if (qualityText.hidden && !document.getElementById("quality-as-text")) {
      var toggle = el("button", { type: "button", id: "quality-as-text", "class": "btn btn-link btn-sm p-0",
                                  text: text.textAsText });
      toggle.addEventListener("click", function () { qualityText.hidden = false; toggle.remove(); });
      fieldset.appendChild(toggle);
    }
    if (Object.keys(data.stated).length) writeText();
  }

  function loadQuality() {
    var name = firstName();
    if (name === shownFor) return;
    shownFor = name;
    if (!name) { render({ fields: [], grades: [], stated: {} }); return; }
    fetch(text.qualityUrl + "?kind=" + kind + "&material=" + encodeURIComponent(name), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && firstName() === name) render(data); });
  }

  quality.addEventListener("change", function () {
    // Typed text wins: show its values in the fields again.
    shownFor = null;
    loadQuality();
  });
  loadQuality();

  // ------------------------------------------------------------------ leaving with typed data
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  var cancel = document.getElementById("listing-cancel");
  if (cancel) {
    cancel.addEventListener("click", function (event) {
      if (dirty && !window.confirm(text.textLeave)) event.preventDefault();
    });
  }
})();
