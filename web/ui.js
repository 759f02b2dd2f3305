// Small DOM helpers: every value goes in as text, never as HTML.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

let ids = 0;
// A labelled control: <label for=id>text</label><control id=id>.
export function field(labelText, control, hint) {
  const id = control.id || "f" + (++ids);
  control.id = id;
  const wrap = el("div", { class: "field" }, el("label", { for: id }, labelText), control);
  if (hint) {
    const h = el("small", { id: id + "-hint" }, hint);
    control.setAttribute("aria-describedby", h.id);
    wrap.append(h);
  }
  return wrap;
}

export function select(options, value, attrs = {}) {
  const s = el("select", attrs);
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    const opt = el("option", { value: v }, t);
    if (String(v) === String(value ?? "")) opt.selected = true;
    s.append(opt);
  }
  return s;
}

export function pct(v) { return (v * 100).toFixed(1) + "%"; }

export function say(text, kind = "info") {
  const s = document.getElementById("status");
  s.className = kind;
  s.textContent = text;
}

export function page(title, ...children) {
  const main = document.getElementById("main");
  main.replaceChildren(el("h1", {}, title), ...children);
  document.title = title + " — coderaudit";
  main.focus();
  return main;
}

export function table(head, rows, caption) {
  // A column of numbers is right-aligned, its heading too.
  const first = rows.length ? rows[0] : null;
  const num = (i) => first && first.cells[i] && first.cells[i].classList.contains("num");
  return el("table", {},
    caption ? el("caption", {}, caption) : null,
    el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: num(i) ? "num" : null }, h)))),
    el("tbody", {}, rows));
}

export function link(href, text, attrs = {}) { return el("a", { href, ...attrs }, text); }

// A difference as people say it (the scoring's outcome names are the coder's view:
// "added" = the coder added a code the auditor struck).
const OUTCOMES = {
  added: "Code struck by the auditor", omitted: "Code added by the auditor", revised: "Code revised",
  resequenced: "Resequenced", modifier: "Modifiers changed", units: "Units changed",
  poa: "POA changed", drg: "DRG changed",
};
export function changeName(c) { return `${OUTCOMES[c.outcome] || c.outcome} (${c.code_type}${c.detail ? ", " + c.detail : ""})`; }
