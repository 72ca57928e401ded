/* carepath forms: conditional fields and repeating rows in the page (no third-party code).
 *
 * The server draws the form in the right state and does all the checking; this script only keeps the page in
 * step while the care manager types:
 * - an element with data-show-if (a condition tree from forms/conditions.py, with HTML control names) is shown
 *   while its condition holds and hidden otherwise; the controls of hidden fields are disabled, so they are not
 *   sent (the server drops answers to questions that do not apply anyway);
 * - a repeating group (data-repeat) gets a row from its <template> on "Add", loses one on "Remove", without a
 *   round trip. Without this script the same buttons submit the form and the server does it.
 */
(function () {
  "use strict";

  var CONTROLS = "input, select, textarea, button";

  function controls(root, name) {
    var out = [];
    var all = root.querySelectorAll("input, select, textarea");
    for (var i = 0; i < all.length; i++) {
      if (all[i].name === name && !all[i].disabled) out.push(all[i]);
    }
    return out;
  }

  function hasNested(root, name) {
    var all = root.querySelectorAll("input, select, textarea");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.disabled || el.name.indexOf(name + "[") !== 0) continue;
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value.trim() !== "") return true;
    }
    return false;
  }

  function typed(text, kind) {
    if (kind === "integer" || kind === "number") {
      var t = text.trim().replace(/,/g, "");
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
      return text;
    }
    if (kind === "boolean") {
      if (text === "true") return true;
      if (text === "false") return false;
    }
    return text;
  }

  var ABSENT = {};

  /* The value the server would read for a control name: ABSENT, a typed value, or a list (multiple choice). */
  function read(root, leaf) {
    var els = controls(root, leaf.name);
    if (leaf.multi) {
      /* a multiple choice or a repeating group (its hidden marker) that is there reads as a list, maybe [] */
      if (!els.length) return ABSENT;
      var picked = [];
      els.forEach(function (el) {
        if (el.type === "hidden") return;
        if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.selectedOptions, function (o) { if (o.value !== "") picked.push(typed(o.value, leaf.kind)); });
        } else if (el.checked) {
          picked.push(typed(el.value, leaf.kind));
        }
      });
      return picked;
    }
    if (!els.length) return hasNested(root, leaf.name) ? {} : ABSENT;
    var first = els[0];
    if (first.type === "checkbox") return first.checked;
    if (first.type === "radio") {
      for (var i = 0; i < els.length; i++) if (els[i].checked) return typed(els[i].value, leaf.kind);
      return ABSENT;
    }
    if (first.value.trim() === "") return ABSENT;
    return typed(first.value, leaf.kind);
  }

  function isNumber(v) { return typeof v === "number" && isFinite(v); }

  /* true, false, or null (cannot tell here: leave the field as the server drew it). */
  function evaluate(node, root) {
    var i, r, unknown = false;
    switch (node.op) {
      case "true": return true;
      case "false": return false;
      case "unknown": return null;
      case "all":
        for (i = 0; i < node.of.length; i++) {
          r = evaluate(node.of[i], root);
          if (r === false) return false;
          if (r === null) unknown = true;
        }
        return unknown ? null : true;
      case "any":
        for (i = 0; i < node.of.length; i++) {
          r = evaluate(node.of[i], root);
          if (r === true) return true;
          if (r === null) unknown = true;
        }
        return unknown ? null : false;
      case "not":
        r = evaluate(node.of, root);
        return r === null ? null : !r;
    }
    var value = read(root, node);
    if (node.op === "absent") return value === ABSENT;
    if (value === ABSENT) return true;
    if (node.op === "in") {
      return node.values.some(function (v) { return v === value; });
    }
    if (node.op === "range") {
      if (!isNumber(value)) return true;
      return (node.min === undefined || value >= node.min) && (node.max === undefined || value <= node.max) &&
        (node.xmin === undefined || value > node.xmin) && (node.xmax === undefined || value < node.xmax);
    }
    if (node.op === "contains") {
      if (!Array.isArray(value)) return true;
      return value.some(function (item) { return node.values.indexOf(item) !== -1; });
    }
    return null;
  }

  function setDisabled(root) {
    var all = root.querySelectorAll(CONTROLS);
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.classList.contains("cp-default-button")) continue;
      var off = false;
      for (var p = el.parentElement; p && p !== root.parentElement; p = p.parentElement) {
        if (p.hasAttribute("data-show-if") && p.hidden) { off = true; break; }
      }
      if (el.hasAttribute("data-show-if") && el.hidden) off = true;
      el.disabled = off;
    }
  }

  function update(root) {
    var conditional = root.querySelectorAll("[data-show-if]");
    for (var pass = 0; pass < 5; pass++) {
      var changed = false;
      for (var i = 0; i < conditional.length; i++) {
        var el = conditional[i];
        var cond;
        try { cond = JSON.parse(el.getAttribute("data-show-if")); } catch (e) { continue; }
        var holds = evaluate(cond, root);
        if (holds === null) continue;
        if (el.hidden === holds) { el.hidden = !holds; changed = true; }
      }
      setDisabled(root);
      if (!changed) break;
    }
  }

  function renumber(group) {
    var rows = group.querySelectorAll(":scope > [data-rows] > [data-row]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].querySelectorAll("[data-row-number]").forEach(function (span) {
        if (span.closest("[data-row]") === rows[i]) span.textContent = String(i + 1);
      });
    }
    var max = group.getAttribute("data-max-items");
    var add = group.querySelector(":scope > [data-add-row]");
    if (add && max !== null) add.hidden = rows.length >= Number(max);
  }

  function addRow(group, root) {
    var template = group.querySelector(":scope > template[data-row-template]");
    var list = group.querySelector(":scope > [data-rows]");
    if (!template || !list) return;
    var index = Number(group.getAttribute("data-next-index") || "0");
    group.setAttribute("data-next-index", String(index + 1));
    var number = list.querySelectorAll(":scope > [data-row]").length + 1;
    var holder = document.createElement("div");
    /* only this group's placeholders: the templates of nested groups keep theirs */
    holder.innerHTML = template.innerHTML
      .split(template.getAttribute("data-index-placeholder")).join(String(index))
      .split(template.getAttribute("data-number-placeholder")).join(String(number));
    var row = holder.firstElementChild;
    list.appendChild(row);
    renumber(group);
    update(root);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function removeRow(button, root) {
    var row = button.closest("[data-row]");
    var group = row && row.closest("[data-repeat]");
    if (!row || !group) return;
    row.parentNode.removeChild(row);
    renumber(group);
    update(root);
    var add = group.querySelector(":scope > [data-add-row]");
    (add && !add.hidden ? add : group).focus();
  }

  function init(root) {
    root.querySelectorAll("[data-repeat]").forEach(function (group) {
      var list = group.querySelector(":scope > [data-rows]");
      if (!list) return;
      var rows = list.querySelectorAll(":scope > [data-row]");
      var blank = list.querySelector(":scope > [data-blank-row]");
      if (blank && rows.length > 1) blank.parentNode.removeChild(blank);  /* the script adds rows on demand */
      renumber(group);
    });
    root.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !root.contains(button)) return;
      if (button.hasAttribute("data-add-row")) {
        event.preventDefault();
        addRow(button.closest("[data-repeat]"), root);
      } else if (button.hasAttribute("data-remove-row")) {
        event.preventDefault();
        removeRow(button, root);
      }
    });
    root.addEventListener("change", function () { update(root); });
    root.addEventListener("input", function () { update(root); });
    update(root);
    var summary = root.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  function start() {
    document.querySelectorAll("[data-cp-form]").forEach(init);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (typeof module !== "undefined") module.exports = { evaluate: evaluate, typed: typed, ABSENT: ABSENT };
})();
