// The browser application: login, then each role's pages (hash routes).
import { api, setCsrf, ApiError } from "./api.js";
import { el, field, page, say } from "./ui.js";
import * as manager from "./manager.js";
import * as auditor from "./auditor.js";
import * as coder from "./coder.js";

export let me = null;

function loginPage() {
  const name = el("input", { name: "name", autocomplete: "username", required: true });
  const password = el("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { class: "card narrow", "aria-label": "Log in" },
    field("User name", name), field("Password", password),
    el("button", { type: "submit" }, "Log in"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const s = await api("POST", "session", { name: name.value, password: password.value });
      password.value = "";
      setSession(s);
      go(home());
    } catch (e) {
      say(e.message, "error");
      password.focus();
    }
  });
  page("Log in", form);
  document.getElementById("nav").replaceChildren();
  document.getElementById("who").replaceChildren();
  name.focus();
}

function home() {
  if (!me) return "#/login";
  if (me.role === "auditor") return "#/worklist";
  if (me.role === "coder") return "#/mine";
  return "#/audits";
}

function setSession(s) {
  me = s;
  setCsrf(s.csrf);
  const links = [];
  if (me.role === "auditor") links.push(["#/worklist", "Worklist"]);
  else if (me.role === "coder") links.push(["#/mine", "My audits"]);
  else links.push(["#/audits", "Audits"], ["#/audits/new", "New audit"]);
  document.getElementById("nav").replaceChildren(...links.map(([h, t]) => el("a", { href: h }, t)));
  const out = el("button", { type: "button", class: "link" }, "Log out");
  out.addEventListener("click", async () => {
    try { await api("DELETE", "session"); } catch { /* already gone */ }
    me = null;
    setCsrf("");
    location.hash = "#/login";
    loginPage();
  });
  document.getElementById("who").replaceChildren(el("span", {}, `${me.name} (${me.role})`), " ", out);
}

// Routes overlap when the hash changes while a page is loading; the last route started
// must be the page shown, so a route that finishes after a newer one has rendered
// renders the current route again.
let started = 0, shown = 0;
async function route() {
  const mine = ++started;
  await render();
  if (mine === started) shown = mine;
  else if (shown === started) route();
}

async function render() {
  const parts = (location.hash.replace(/^#\/?/, "") || "").split("/").map(decodeURIComponent);
  say("");
  if (!me) {
    try { setSession(await api("GET", "session")); } catch { return loginPage(); }
  }
  if (parts[0] === "login" || parts[0] === "") { go(home()); return; }
  try {
    const [a, b, c, d] = parts;
    if (a === "audits" && b === "new") return await manager.createPage();
    if (a === "audits" && !b) return await manager.auditsPage();
    if (a === "audits" && c === "dashboard") return await manager.dashboardPage(+b);
    if (a === "audits" && c === "disputes") return await manager.disputesPage(+b);
    if (a === "audits" && c === "enc") return await (me.role === "coder" ? coder.encounterPage(+b, d) : auditor.editorPage(+b, d));
    if (a === "audits" && b) return await manager.auditPage(+b);
    if (a === "worklist") return await auditor.worklistPage(b ? +b : 0);
    if (a === "mine") return await coder.minePage();
    if (a === "scores") return await coder.scoresPage(+b);
    page("Not found", el("p", {}, "No such page."));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { me = null; return loginPage(); }
    page("Something went wrong", el("p", { class: "error" }, e.message));
  }
}

export function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

window.addEventListener("hashchange", route);
route();
