// The auditor's pages: the worklist (paged, filtered on the server) and the side-by-side
// editor of one encounter.
import { api, ApiError } from "./api.js";
import { el, field, select, page, table, link, say, changeName } from "./ui.js";
import { go, me } from "./app.js";

export async function worklistPage(auditId) {
  const audits = (await api("GET", "audits")).filter((a) => a.state === "open" || me.role !== "auditor");
  if (!auditId && audits.length) auditId = audits[0].id;
  const pick = select(audits.map((a) => [a.id, `${a.title} (audit ${a.id})`]), auditId, { name: "audit" });
  pick.addEventListener("change", () => go(`#/worklist/${pick.value}`));
  const state = select([["", "Any state"], ["new", "New"], ["draft", "Draft"], ["submitted", "Submitted"]], "", { name: "state" });
  const coder = el("input", { name: "coder", placeholder: "any coder" });
  const q = el("input", { name: "q", type: "search", placeholder: "Encounter id" });
  const list = el("div");
  let offset = 0;
  const limit = 25;
  async function load() {
    if (!auditId) { list.replaceChildren(el("p", {}, "Nothing is assigned to you.")); return; }
    const params = new URLSearchParams({ offset, limit, state: state.value, coder: coder.value, q: q.value });
    const p = await api("GET", `audits/${auditId}/encounters?${params}`);
    const rows = p.rows.map((r) => el("tr", {},
      el("td", {}, link(`#/audits/${auditId}/enc/${encodeURIComponent(r.encounter_id)}`, r.encounter_id)),
      el("td", {}, r.coder_id), el("td", {}, r.state), el("td", {}, r.updated_at || "—")));
    list.replaceChildren(table(["Encounter", "Coder", "State", "Last saved"], rows, `Your encounters ${p.total ? offset + 1 : 0}–${offset + p.rows.length} of ${p.total}`),
      el("div", { class: "pager" },
        el("button", { type: "button", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - limit); load(); } }, "Previous page"),
        el("button", { type: "button", disabled: offset + limit >= p.total, onclick: () => { offset += limit; load(); } }, "Next page")));
  }
  const filters = el("form", { class: "filters", "aria-label": "Filter the worklist" }, field("Audit", pick), field("State", state), field("Coder", coder), field("Search", q),
    el("button", { type: "submit" }, "Filter"));
  filters.addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; load(); });
  page("Worklist", filters, list);
  await load();
}

function codeList(rec, title) {
  const rows = rec.lines.map((l, i) => el("tr", {},
    el("td", { class: "num" }, i + 1), el("td", {}, l.type), el("td", { class: "code" }, l.code),
    el("td", {}, l.poa), el("td", {}, l.modifiers), el("td", { class: "num" }, l.type === "HCPCS" ? (l.units || 1) : "")));
  return table(["#", "Type", "Code", "POA", "Modifiers", "Units"], rows, title);
}

export function changeList(changes, extra) {
  if (!changes.length) return el("p", {}, "No differences: the auditor's version matches the coder's.");
  return table(["Change", "Coder", "Auditor", "Reason", "Comment", ...(extra ? extra.head : [])],
    changes.map((c) => el("tr", { class: "change " + c.outcome },
      el("td", {}, changeName(c)),
      el("td", { class: "code" }, el("del", {}, c.coder_code || "—")),
      el("td", { class: "code" }, el("ins", {}, c.auditor_code || "—")),
      el("td", {}, c.reason || "—"), el("td", {}, c.comment || ""),
      ...(extra ? extra.cells(c) : []))),
    "Changes");
}

export async function editorPage(auditId, encId) {
  const v = await api("GET", `audits/${auditId}/encounters/${encodeURIComponent(encId)}`);
  const reasons = await api("GET", "reasons");
  // Code look-up: validity on the date of service and the code's description from the
  // server's tables, when loaded.
  const tablesLoaded = (await api("GET", "codes")).tables;
  const dos = v.encounter.through_date;
  async function lookUp(line, out) {
    if (!tablesLoaded || !line.code) { out.textContent = ""; return; }
    try {
      const r = await api("GET", `codes?${new URLSearchParams({ type: line.type, code: line.code, date: dos })}`);
      // Short beside the code, then the code's description from the same table; the whole
      // answer (and the table) as its title.
      out.replaceChildren(r.valid ? "✓ valid" : "✗ " + r.message.replace(/ \(.*\)$/, ""),
        ...(r.description ? [el("span", { class: "desc" }, r.description)] : []));
      out.title = r.message + (r.description ? "\n" + r.description : "");
      out.className = r.valid ? "lookup valid" : "lookup invalid";
    } catch (e) { out.textContent = e.message; }
  }
  const reasonOptions = [["", "—"], ...reasons.map((r) => [r.code, `${r.code}: ${r.label}`])];
  const editable = v.row.state !== "submitted" && v.audit_state === "open" && v.row.auditor === me.name;
  const rec = structuredClone(v.auditor);
  const coderKeys = new Set(v.coder.lines.map((l) => l.type + " " + l.code));
  const body = el("tbody");
  const struck = el("tbody");
  const drg = el("input", { name: "drg", value: rec.drg, size: 4, disabled: !editable, pattern: "[0-9]{3}" });

  function render(focusRow, focusField) {
    body.replaceChildren(...rec.lines.map((l, i) => {
      const n = i + 1;
      const type = select(["DX", "PCS", "HCPCS"], l.type, { "aria-label": `Code ${n} type`, disabled: !editable, onchange: (e) => { l.type = e.target.value; render(i, "type"); } });
      const check = el("output", { class: "lookup", "aria-live": "polite" });
      let timer = 0;
      const code = el("input", { value: l.code, size: 9, class: "code", "aria-label": `Code ${n}`, disabled: !editable,
        oninput: (e) => { l.code = e.target.value.toUpperCase(); clearTimeout(timer); timer = setTimeout(() => lookUp(l, check), 250); } });
      lookUp(l, check);
      const poa = el("input", { value: l.poa, size: 1, maxlength: 1, "aria-label": `Code ${n} POA`, disabled: !editable || l.type !== "DX", oninput: (e) => { l.poa = e.target.value.toUpperCase(); } });
      const mods = el("input", { value: l.modifiers, size: 6, "aria-label": `Code ${n} modifiers`, disabled: !editable || l.type !== "HCPCS", oninput: (e) => { l.modifiers = e.target.value.toUpperCase(); } });
      const units = el("input", { value: l.units || "", size: 3, type: "number", min: "0", step: "any", "aria-label": `Code ${n} units`, disabled: !editable || l.type !== "HCPCS", oninput: (e) => { l.units = +e.target.value; } });
      const reason = select(reasonOptions, l.reason, { "aria-label": `Code ${n} reason`, disabled: !editable, onchange: (e) => { l.reason = e.target.value; } });
      const comment = el("input", { value: l.comment, size: 18, "aria-label": `Code ${n} comment`, disabled: !editable, oninput: (e) => { l.comment = e.target.value; } });
      const move = (d) => () => { const j = i + d; if (j < 0 || j >= rec.lines.length) return; [rec.lines[i], rec.lines[j]] = [rec.lines[j], rec.lines[i]]; render(j, "code"); };
      const del = () => {
        rec.lines.splice(i, 1);
        if (coderKeys.has(l.type + " " + l.code) && !rec.lines.some((x) => x.type === l.type && x.code === l.code))
          rec.removed.push({ type: l.type, code: l.code, reason: l.reason, comment: l.comment });
        render(Math.min(i, rec.lines.length - 1), "code");
      };
      const tr = el("tr", { "data-row": i },
        el("td", { class: "num" }, n), el("td", {}, type), el("td", {}, code, check), el("td", {}, poa), el("td", {}, mods), el("td", {}, units),
        el("td", {}, reason), el("td", {}, comment),
        el("td", { class: "tools" },
          el("button", { type: "button", disabled: !editable || i === 0, onclick: move(-1), "aria-label": `Move code ${n} up`, title: "Alt+↑" }, "↑"),
          el("button", { type: "button", disabled: !editable || i === rec.lines.length - 1, onclick: move(1), "aria-label": `Move code ${n} down`, title: "Alt+↓" }, "↓"),
          el("button", { type: "button", disabled: !editable, onclick: del, "aria-label": `Delete code ${n}`, title: "Alt+Delete" }, "✕")));
      tr.addEventListener("keydown", (e) => {
        if (!editable || !e.altKey) return;
        if (e.key === "ArrowUp") { e.preventDefault(); move(-1)(); }
        else if (e.key === "ArrowDown") { e.preventDefault(); move(1)(); }
        else if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); del(); }
      });
      return tr;
    }));
    struck.replaceChildren(...rec.removed.map((s, i) => el("tr", {},
      el("td", {}, s.type), el("td", { class: "code" }, el("del", {}, s.code)),
      el("td", {}, select(reasonOptions, s.reason, { "aria-label": `Reason for striking ${s.code}`, disabled: !editable, onchange: (e) => { s.reason = e.target.value; } })),
      el("td", {}, el("input", { value: s.comment, size: 18, "aria-label": `Comment on striking ${s.code}`, disabled: !editable, oninput: (e) => { s.comment = e.target.value; } })),
      el("td", {}, el("button", { type: "button", disabled: !editable, "aria-label": `Restore ${s.code}`, onclick: () => { rec.removed.splice(i, 1); rec.lines.push({ type: s.type, code: s.code, poa: "", modifiers: "", units: 0, reason: "", comment: "" }); render(rec.lines.length - 1, "code"); } }, "Restore")))));
    if (focusRow !== undefined && focusRow >= 0) {
      const target = body.querySelector(`tr[data-row="${focusRow}"] [aria-label="Code ${focusRow + 1}${focusField === "type" ? " type" : ""}"]`);
      target?.focus();
    }
  }
  function add() {
    const last = rec.lines[rec.lines.length - 1];
    rec.lines.push({ type: last ? last.type : "DX", code: "", poa: "", modifiers: "", units: 0, reason: "", comment: "" });
    render(rec.lines.length - 1, "code");
  }
  async function save(submit) {
    rec.drg = drg.value;
    try {
      const r = await api("PUT", `audits/${auditId}/encounters/${encodeURIComponent(encId)}`, { version: v.row.version, submit, recoding: rec });
      await editorPage(auditId, encId);
      say(submit ? `Submitted ${encId} (version ${r.version}).` : `Draft of ${encId} saved (version ${r.version}).`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        say(e.message, "error");
        document.getElementById("conflict")?.replaceChildren(el("p", { class: "error", role: "alert" }, e.message),
          el("button", { type: "button", onclick: () => editorPage(auditId, encId) }, "Reload the saved version"));
      } else say(e.message, "error");
    }
  }
  render();
  const e = v.encounter;
  const mine = el("table", { class: "editor" },
    el("caption", {}, "Auditor's version (starts as a copy of the coder's codes; first DX is the principal)"),
    el("thead", {}, el("tr", {}, ["#", "Type", "Code", "POA", "Modifiers", "Units", "Reason", "Comment", ""].map((h) => el("th", { scope: "col" }, h)))), body);
  const struckTable = el("table", {}, el("caption", {}, "Coder's codes struck"),
    el("thead", {}, el("tr", {}, ["Type", "Code", "Reason", "Comment", ""].map((h) => el("th", { scope: "col" }, h)))), struck);
  const tools = editable ? el("div", { class: "actions" },
    el("button", { type: "button", onclick: add, title: "Alt+N" }, "Add code"),
    el("button", { type: "button", onclick: () => save(false), title: "Ctrl+S" }, "Save draft"),
    el("button", { type: "button", class: "primary", onclick: () => save(true) }, "Submit"),
    el("small", {}, "Keys: Alt+N add · Alt+↑/↓ move · Alt+Delete delete · Ctrl+S save")) : el("p", { class: "meta" }, `This encounter is ${v.row.state}${v.row.auditor !== me.name ? ", assigned to " + (v.row.auditor || "nobody") : ""}: read only.`);
  const main = page(`Encounter ${e.id}`,
    el("p", { class: "meta" }, `${e.claim_type} · ${e.from_date} to ${e.through_date} · provider ${e.provider_id} · coder ${e.coder_id} · payer ${e.payer} · ${v.row.state}, version ${v.row.version}`),
    el("p", {}, link(`#/worklist/${auditId}`, "Back to the worklist")),
    el("div", { id: "conflict" }),
    el("div", { class: "side" },
      el("section", { class: "card" }, el("h2", {}, "Coder"), codeList(v.coder, "Coder's codes"), el("p", {}, `DRG ${v.coder.drg || "—"}`)),
      el("section", { class: "card wide" }, el("h2", {}, "Auditor"), mine, field("Auditor's DRG", drg), struckTable, tools)),
    el("section", { class: "card" }, el("h2", {}, "Changes (as last saved)"), changeList(v.changes)),
    el("section", { class: "card" }, el("h2", {}, "Edit findings on this encounter"),
      v.findings.length ? el("ul", {}, v.findings.map((f) => el("li", {}, `${f.rule_id} (line ${f.lines || "—"}): ${f.message}`))) : el("p", {}, "No findings.")),
    el("p", { class: "meta" }, tablesLoaded
      ? `Codes are checked as you type against the server's reference tables on the date of service (${dos}), with their descriptions from those tables.`
      : "Code look-up: this server was started without --refdata, so codes are not checked against the reference tables."));
  main.onkeydown = (ev) => {
    if (!editable) return;
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); save(false); }
    else if (ev.altKey && (ev.key === "n" || ev.key === "N")) { ev.preventDefault(); add(); }
  };
}
