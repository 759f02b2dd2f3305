// The manager's pages: audits, a new audit, one audit (progress, assignment, close),
// disputes, and the dashboard of a closed audit.
import { api } from "./api.js";
import { el, field, select, page, table, link, pct, say, changeName } from "./ui.js";
import { go } from "./app.js";

export async function auditsPage() {
  const audits = await api("GET", "audits");
  const rows = audits.map((a) => el("tr", {},
    el("td", {}, link(`#/audits/${a.id}`, a.title)),
    el("td", {}, a.state), el("td", {}, a.design), el("td", { class: "num" }, a.encounters),
    el("td", { class: "num" }, a.submitted), el("td", { class: "num" }, `${a.decided}/${a.disputes}`),
    el("td", {}, a.state === "closed" ? link(`#/audits/${a.id}/dashboard`, "Dashboard") : "")));
  page("Audits",
    audits.length ? table(["Audit", "State", "Design", "Encounters", "Submitted", "Disputes decided", ""], rows, "Every audit, newest first")
      : el("p", {}, "No audit yet."),
    el("p", {}, link("#/audits/new", "Create an audit", { class: "button" })));
}

export async function createPage() {
  const runs = await api("GET", "runs");
  const auditors = await api("GET", "auditors");
  const title = el("input", { name: "title", required: true, value: "Quarterly coding audit" });
  const run = select(runs.map((r) => [r.run_id, `Run ${r.run_id}: ${r.encounters} encounters, ${r.started_at}`]), runs.length ? runs[runs.length - 1].run_id : "", { name: "run" });
  const design = select([["simple", "Simple random"], ["stratified", "Stratified"], ["quota", "Per-coder quota"], ["targeted", "Targeted (by rule)"]], "simple", { name: "design" });
  const n = el("input", { name: "n", type: "number", min: "1", value: "10" });
  const stratify = select([["coder_id", "Coder"], ["provider_id", "Provider"], ["claim_type", "Claim type"], ["payer", "Payer"], ["drg", "DRG"]], "coder_id", { name: "stratify_by" });
  const perCoder = el("input", { name: "per_coder", type: "number", min: "1", value: "2" });
  const period = select([["quarter", "Quarter"], ["month", "Month"]], "quarter", { name: "period" });
  const rule = el("input", { name: "target_rule", placeholder: "any rule" });
  const seed = el("input", { name: "seed", placeholder: "a fresh seed" });
  const policy = el("input", { name: "policy", type: "file", accept: ".xml,application/xml,text/xml" });
  const boxes = auditors.map((a) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "auditor", value: a, checked: true }), " " + a));
  // Only the fields the chosen design uses are shown.
  const only = (designs, node) => { node.dataset.designs = designs; return node; };
  const form = el("form", { class: "card form", "aria-label": "New audit" },
    field("Title", title), field("Check run", run), field("Sample design", design),
    only("simple targeted stratified", field("Sample size (per stratum when stratified)", n)),
    only("stratified", field("Stratify by", stratify)),
    only("quota", field("Encounters per coder per period", perCoder)), only("quota", field("Period", period)),
    only("targeted", field("Rule whose findings are targeted", rule)),
    field("Seed", seed, "Empty: a fresh random seed, recorded with the sample"),
    el("fieldset", {}, el("legend", {}, "Assign in turn to"), boxes.length ? boxes : el("p", {}, "No auditor users yet.")),
    field("Scoring policy (XML)", policy, "Empty: the built-in default — every difference in DX, PCS and HCPCS counts once, exact 95% interval, pass at 95% code accuracy. samples/policies/ has others to start from."),
    el("button", { type: "submit", class: "primary" }, "Draw the sample and create the audit"));
  const showFields = () => form.querySelectorAll("[data-designs]").forEach((f) => { f.hidden = !f.dataset.designs.split(" ").includes(design.value); });
  design.addEventListener("change", showFields);
  showFields();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const file = policy.files[0];
      const r = await api("POST", "audits", {
        policy_text: file ? await file.text() : "", policy_file: file ? file.name : "",
        title: title.value, check_run_id: +run.value, design: design.value, n: +n.value,
        stratify_by: stratify.value, per_coder: +perCoder.value, period: period.value,
        target_rule: rule.value, seed: seed.value,
        auditors: boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value),
      });
      go(`#/audits/${r.id}`);
      say(`Audit ${r.id} created.`);
    } catch (e) { say(e.message, "error"); }
  });
  page("New audit", form);
  title.focus();
}

function progressBar(done, total, label) {
  return el("div", { class: "progress" },
    el("progress", { max: total || 1, value: done, "aria-label": label }), ` ${done} of ${total} ${label}`);
}

export async function auditPage(id) {
  const a = await api("GET", `audits/${id}`);
  const auditors = a.state === "open" ? await api("GET", "auditors") : [];
  const list = el("div");
  const who = select([["", "Any auditor"], ["-", "Unassigned"], ...a.auditors.map((x) => [x.auditor, x.auditor])], "", { name: "auditor" });
  const state = select([["", "Any state"], ["new", "New"], ["draft", "Draft"], ["submitted", "Submitted"]], "", { name: "state" });
  const q = el("input", { name: "q", type: "search", placeholder: "Encounter id" });
  const target = select(auditors.map((x) => [x, x]), auditors[0] || "", { name: "assign_to" });
  let offset = 0;
  async function load() {
    const params = new URLSearchParams({ offset, limit: 25, state: state.value, q: q.value, auditor: who.value === "-" ? "" : who.value });
    const p = await api("GET", `audits/${id}/encounters?${params}`);
    const rows = p.rows.filter((r) => who.value !== "-" || !r.auditor).map((r) => el("tr", {},
      el("td", {}, a.state === "open" ? el("input", { type: "checkbox", value: r.encounter_id, "aria-label": "Select " + r.encounter_id }) : ""),
      el("td", {}, link(`#/audits/${id}/enc/${encodeURIComponent(r.encounter_id)}`, r.encounter_id)),
      el("td", {}, r.coder_id), el("td", {}, r.auditor || "—"), el("td", {}, r.state), el("td", { class: "num" }, r.version)));
    list.replaceChildren(table(["", "Encounter", "Coder", "Auditor", "State", "Version"], rows, `Encounters ${p.total ? offset + 1 : 0}–${offset + p.rows.length} of ${p.total}`),
      el("div", { class: "pager" },
        el("button", { type: "button", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - 25); load(); } }, "Previous"),
        el("button", { type: "button", disabled: offset + 25 >= p.total, onclick: () => { offset += 25; load(); } }, "Next")));
  }
  const filters = el("form", { class: "filters", "aria-label": "Filter encounters" }, field("Auditor", who), field("State", state), field("Search", q),
    el("button", { type: "submit" }, "Filter"));
  filters.addEventListener("submit", (ev) => { ev.preventDefault(); offset = 0; load(); });
  const assign = a.state === "open" && auditors.length ? el("form", { class: "filters", "aria-label": "Assign" }, field("Assign the selected encounters to", target),
    el("button", { type: "submit" }, "Assign")) : null;
  assign?.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ids = [...list.querySelectorAll("input[type=checkbox]:checked")].map((c) => c.value);
    try {
      const r = await api("POST", `audits/${id}/assign`, { auditor: target.value, encounters: ids });
      say(`${r.assigned} encounters assigned to ${target.value}.`);
      auditPage(id);
    } catch (e) { say(e.message, "error"); }
  });
  const close = el("button", { type: "button", class: "primary" }, "Close and score the audit");
  close.addEventListener("click", async () => {
    if (a.submitted < a.encounters && !confirm(`${a.encounters - a.submitted} encounters are not submitted and will not be scored. Close anyway?`)) return;
    try {
      const r = await api("POST", `audits/${id}/close`);
      say(`Closed: ${r.scored_encounters} encounters scored (score run ${r.score_run_id}, final run ${r.final_run_id}).`);
      go(`#/audits/${id}/dashboard`);
    } catch (e) { say(e.message, "error"); }
  });
  const byAuditor = table(["Auditor", "Assigned", "Drafts", "Submitted"], a.auditors.map((x) => el("tr", {},
    el("td", {}, x.auditor), el("td", { class: "num" }, x.assigned), el("td", { class: "num" }, x.drafts), el("td", { class: "num" }, x.submitted))), "Progress by auditor");
  page(a.title,
    el("p", { class: "meta" }, `Audit ${a.id} of check run ${a.check_run_id} · ${a.design} sample ${a.sample_id} · policy ${a.policy} · ${a.state} · created by ${a.created_by}`),
    el("section", { class: "card" }, el("h2", {}, "Progress"), progressBar(a.submitted, a.encounters, "submitted"),
      progressBar(a.decided, a.disputes, "disputes decided"), el("p", {}, `${a.unassigned} unassigned, ${a.drafts} in draft.`), byAuditor),
    el("nav", { class: "actions", "aria-label": "Audit actions" },
      link(`#/audits/${id}/disputes`, `Disputes (${a.disputes})`, { class: "button" }),
      a.state === "closed" ? link(`#/audits/${id}/dashboard`, "Dashboard", { class: "button" }) : close,
      link(`/app/api/audits/${id}/auditor.csv`, "Auditor CSV", { class: "button", download: "" })),
    el("section", {}, el("h2", {}, "Encounters"), filters, assign, list));
  await load();
}

export async function disputesPage(id) {
  const list = await api("GET", `audits/${id}/disputes`);
  const rows = list.map((d) => {
    const c = d.change;
    const note = el("input", { name: "note", value: c.decision_note, "aria-label": `Decision note for ${d.encounter_id} change ${c.index}` });
    const decide = (decision) => async () => {
      try {
        await api("POST", `audits/${id}/encounters/${encodeURIComponent(d.encounter_id)}/changes/${c.index}/decision`, { decision, note: note.value });
        say(`${d.encounter_id}: ${decision}.`);
        disputesPage(id);
      } catch (e) { say(e.message, "error"); }
    };
    return el("tr", {},
      el("td", {}, d.encounter_id), el("td", {}, d.coder_id), el("td", {}, d.auditor),
      el("td", {}, changeName(c), " ", el("del", { class: "code" }, c.coder_code || "—"), " → ", el("ins", { class: "code" }, c.auditor_code || "—")),
      el("td", {}, `${c.reason} ${c.comment}`.trim()), el("td", {}, c.coder_comment),
      el("td", {}, c.decision || "undecided"),
      el("td", {}, el("div", { class: "decide" }, note, el("button", { type: "button", onclick: decide("upheld") }, "Uphold"),
        el("button", { type: "button", onclick: decide("overturned") }, "Overturn"))));
  });
  page("Disputes", el("p", {}, link(`#/audits/${id}`, "Back to the audit")),
    list.length ? table(["Encounter", "Coder", "Auditor", "Change", "Auditor's reason", "Coder's comment", "Decision", "Decide"], rows, "Changes the coder disagreed with")
      : el("p", {}, "No coder has disagreed with a change."));
}

// Per-coder code accuracy with its interval and the benchmark, as SVG bars.
function chart(coders) {
  const ns = "http://www.w3.org/2000/svg";
  const w = 680, rowH = 26, left = 90, right = 70, h = coders.length * rowH + 40;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Code accuracy per coder with its interval and the benchmark");
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const x = (v) => left + v * (w - left - right);
  coders.forEach((c, i) => {
    const y = 10 + i * rowH;
    add("text", { x: 4, y: y + 15, class: "axis" }, c.coder_id);
    add("rect", { x: left, y, width: x(c.code_accuracy) - left, height: 18, class: c.pass ? "bar pass" : "bar fail" });
    add("line", { x1: x(c.code_interval[0]), x2: x(c.code_interval[1]), y1: y + 9, y2: y + 9, class: "ci" });
    add("text", { x: w - 4, y: y + 14, class: "val", "text-anchor": "end" }, pct(c.code_accuracy));
  });
  const b = coders.length ? coders[0].benchmark : 0.95;
  add("line", { x1: x(b), x2: x(b), y1: 4, y2: h - 24, class: "bench" });
  add("text", { x: x(b), y: h - 8, class: "axis", "text-anchor": "middle" }, `benchmark ${pct(b)}`);
  add("line", { x1: left, x2: left, y1: 4, y2: h - 24, class: "axisline" });
  return svg;
}

export function scoreTable(s) {
  const outcomes = ["added", "omitted", "revised", "resequenced", "modifier", "units", "poa", "drg"];
  const rows = s.coders.map((c) => el("tr", { "data-coder": c.coder_id },
    el("th", { scope: "row" }, c.coder_id), el("td", { class: "num" }, c.encounters), el("td", { class: "num" }, c.codes),
    el("td", { class: "num" }, c.errors), el("td", { class: "num" }, pct(c.code_accuracy)),
    el("td", { class: "num" }, `${pct(c.code_interval[0])}-${pct(c.code_interval[1])}`),
    el("td", { class: "num" }, pct(c.claim_accuracy)), el("td", { class: "num" }, c.overturned),
    el("td", { class: c.pass ? "pass" : "fail" }, c.pass ? "PASS" : "FAIL")));
  const cats = s.coders.map((c) => el("tr", {}, el("th", { scope: "row" }, c.coder_id), outcomes.map((o) => el("td", { class: "num" }, c.by_outcome[o]))));
  const money = s.coders.map((c) => el("tr", {}, el("th", { scope: "row" }, c.coder_id),
    el("td", { class: "num" }, c.over_coded), el("td", { class: "num" }, c.under_coded),
    el("td", { class: "num" }, (c.overpayment_cents / 100).toFixed(2)), el("td", { class: "num" }, (c.underpayment_cents / 100).toFixed(2))));
  const ci = `${Math.round(s.policy.confidence * 100)}% CI (${s.policy.interval})`;
  return [
    table(["Coder", "Encounters", "Codes", "Errors", "Code accuracy", ci, "Claim accuracy", "Overturned", "Result"], rows, "Accuracy per coder"),
    el("figure", {}, chart(s.coders), el("figcaption", {}, "Code accuracy per coder; the line across each bar is its exact interval.")),
    table(["Coder", ...outcomes], cats, "Error categories (counted rows)"),
    table(["Coder", "Over-coded", "Under-coded", "Overpaid $", "Underpaid $"], money, "Financial impact"),
  ];
}

// Code accuracy per coder and period over the store's audits (one score run per audit).
function trendTable(s) {
  if (!s.trend.length) return null;
  const periods = [...new Set(s.trend.map((t) => t.period))].sort();
  const coders = [...new Set(s.trend.map((t) => t.coder_id))].sort();
  const at = new Map(s.trend.map((t) => [t.coder_id + "|" + t.period, t]));
  return table(["Coder", ...periods], coders.map((c) => el("tr", {}, el("th", { scope: "row" }, c),
    periods.map((p) => { const t = at.get(c + "|" + p); return el("td", { class: "num" }, t ? `${pct(t.code_accuracy)} (${t.codes})` : "—"); }))),
  `Trend: code accuracy by ${s.trend_period} of service (codes reviewed), over every audit of this store`);
}

export async function dashboardPage(id) {
  const a = await api("GET", `audits/${id}`);
  const s = await api("GET", `audits/${id}/scores`);
  page(`Dashboard: ${a.title}`,
    el("p", { class: "meta" }, `Scored as run ${s.score_run_id}; with the coders' answers and the decisions, run ${s.final_run_id}. Policy ${s.policy.id} ${s.policy.version}: pass when ${s.policy.metric} accuracy (${s.policy.compare}) reaches the benchmark.`),
    ...scoreTable(s),
    trendTable(s),
    el("nav", { class: "actions", "aria-label": "Downloads" },
      link(`/app/api/audits/${id}/workbook`, "Download the accuracy workbook", { class: "button", download: "" }),
      link(`/app/api/audits/${id}/findings`, "Download the findings workbook", { class: "button", download: "" }),
      link(`#/audits/${id}`, "Back to the audit")));
}
