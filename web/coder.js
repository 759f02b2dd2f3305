// The coder's pages: their audited encounters, each change with agree / disagree, and
// their own scores.
import { api } from "./api.js";
import { el, page, table, link, say } from "./ui.js";
import { changeList } from "./auditor.js";
import { scoreTable } from "./manager.js";

export async function minePage() {
  const audits = await api("GET", "audits");
  const sections = [];
  for (const a of audits) {
    const p = await api("GET", `audits/${a.id}/encounters?limit=100`);
    sections.push(el("section", { class: "card" }, el("h2", {}, `${a.title} (${a.state})`),
      table(["Encounter", "Auditor", "Submitted"], p.rows.map((r) => el("tr", {},
        el("td", {}, link(`#/audits/${a.id}/enc/${encodeURIComponent(r.encounter_id)}`, r.encounter_id)),
        el("td", {}, r.auditor), el("td", {}, r.updated_at)))),
      a.state === "closed" ? el("p", {}, link(`#/scores/${a.id}`, "My scores")) : null));
  }
  page("My audits", ...(sections.length ? sections : [el("p", {}, "None of your encounters has been audited yet.")]));
}

export async function encounterPage(auditId, encId) {
  const v = await api("GET", `audits/${auditId}/encounters/${encodeURIComponent(encId)}`);
  const open = v.audit_state === "open";
  const extra = {
    head: ["Your answer", "Decision"],
    cells: (c) => {
      const comment = el("input", { value: c.coder_comment, size: 24, "aria-label": `Your comment on the change of ${c.coder_code || c.auditor_code}`, disabled: !open || !!c.decision });
      const answer = (rebuttal) => async () => {
        try {
          await api("POST", `audits/${auditId}/encounters/${encodeURIComponent(encId)}/changes/${c.index}/answer`, { rebuttal, comment: comment.value });
          await encounterPage(auditId, encId);
          say(`You ${rebuttal === "agree" ? "agreed with" : "disagreed with"} the change.`);
        } catch (e) { say(e.message, "error"); }
      };
      return [
        el("td", {}, c.rebuttal ? el("strong", {}, c.rebuttal) : "", " ", comment,
          el("button", { type: "button", disabled: !open || !!c.decision, onclick: answer("agree") }, "Agree"),
          el("button", { type: "button", disabled: !open || !!c.decision, onclick: answer("disagree") }, "Disagree")),
        el("td", {}, c.decision ? `${c.decision}${c.decision_note ? ": " + c.decision_note : ""}` : "—"),
      ];
    },
  };
  page(`Encounter ${encId}`,
    el("p", {}, link("#/mine", "Back to my audits")),
    el("p", { class: "meta" }, `Audited by ${v.row.auditor}. Struck codes are crossed out, the auditor's codes underlined.`),
    el("section", { class: "card" }, changeList(v.changes, extra)));
}

export async function scoresPage(auditId) {
  const s = await api("GET", `audits/${auditId}/scores`);
  page("My scores", el("p", {}, link("#/mine", "Back to my audits")), ...scoreTable(s));
}
