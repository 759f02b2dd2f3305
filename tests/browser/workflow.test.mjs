// The browser workflow end to end (issue 14) in Debian's headless Chromium: the manager
// creates an audit, the auditor re-codes three encounters with the keyboard, the coder
// disagrees with one change, the manager overturns it and closes the audit; the scores the
// dashboard shows must equal what `coderaudit score` and `coderaudit rebuttal` print for
// the same decisions. Screenshots of every page go to OUT/screenshots.
// Usage: node workflow.test.mjs CODERAUDIT_BINARY SOURCE_DIR OUT_DIR   (exit 77: skipped)
import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const [bin, src, out] = process.argv.slice(2);
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
if (!chromium) { console.log("SKIP: Debian's chromium is not installed (apt-get install chromium)"); process.exit(77); }
let puppeteer;
try { puppeteer = (await import("puppeteer-core")).default; }
catch { console.log("SKIP: puppeteer-core is not installed (npm ci in tests/browser)"); process.exit(77); }

const shots = path.join(out, "screenshots");
// OUT is also CTest's folder for this test: only this test's own files are replaced.
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });
for (const f of ["web.db", "cli.db", "accuracy.xlsx", "auditor.csv", "rebuttal.csv", "cli-scores.txt", "timings.json"])
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(path.join(out, f + suffix), { force: true });
const db = path.join(out, "web.db");
const password = "demo-password-1";
execFileSync("bash", [path.join(src, "scripts/demo-web.sh"), db], { env: { ...process.env, CODERAUDIT: bin, SETUP_ONLY: "1", DEMO_PASSWORD: password }, stdio: ["ignore", "inherit", "inherit"] });

// The bundled sample tables, so the editor's code look-up has something to check against.
const ref = path.join(out, "ref");
fs.rmSync(ref, { recursive: true, force: true });
execFileSync("bash", [path.join(src, "samples/refdata/import_samples.sh"), bin, ref], { stdio: ["ignore", "ignore", "inherit"] });
const port = await new Promise((resolve) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const server = spawn(bin, ["serve", "--rules", path.join(src, "samples/rules/facility.xml"), "--db", db, "--refdata", ref, "--listen", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
let serverLog = "";
server.stdout.on("data", (d) => { serverLog += d; });
server.stderr.on("data", (d) => { serverLog += d; });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(base + "/v1/health")).ok) break; } catch { /* not yet */ }
  if (i > 100) throw new Error("serve did not start:\n" + serverLog);
  await new Promise((r) => setTimeout(r, 100));
}

let failures = 0, passes = 0;
function check(cond, what) {
  if (cond) { passes++; console.log("ok   " + what); } else { failures++; console.log("FAIL " + what); }
}

const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
const timings = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const consoleErrors = [];
  // Script errors only: refused requests (401 before login, the 403 and 409 provoked
  // below) are logged by Chromium as failed resources and are expected.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("dialog", (d) => d.accept());   // "close with encounters not submitted?"
  let shot = 0;
  const snap = async (name) => { await new Promise((r) => setTimeout(r, 150)); await page.screenshot({ path: path.join(shots, `${String(++shot).padStart(2, "0")}-${name}.png`), fullPage: true }); };
  // Every form control of the page has a label (a <label for>, or aria-label).
  const unlabelled = () => page.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
    .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.outerHTML.slice(0, 80)));
  const labelled = async (where) => { const u = await unlabelled(); check(u.length === 0, `${where}: every form control is labelled ${u.join(" ")}`); };
  const waitText = async (text) => {
    try { await page.waitForFunction((t) => document.body.innerText.includes(t), { timeout: 15000 }, text); }
    catch (e) {
      await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true });
      throw new Error(`"${text}" did not appear; status: ${await page.$eval("#status", (s) => s.textContent)}`);
    }
  };
  // Goes to an app route and waits for its page (its heading) and `selector` in it.
  const visit = async (hash, title, selector) => {
    await page.goto(`${base}/app/${hash}`);
    try {
      await page.waitForFunction((t, sel) => document.querySelector("h1")?.textContent.startsWith(t) && (!sel || document.querySelector(sel)),
        { timeout: 20000 }, title, selector);
    } catch (e) {
      await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true });
      throw new Error(`${hash}: page "${title}" with ${selector} did not appear; the page says: ${(await page.evaluate(() => document.body.innerText)).slice(0, 400)}`);
    }
  };

  async function login(name) {
    const t0 = Date.now();
    await page.goto(base + "/app/", { waitUntil: "networkidle0" });
    await page.waitForSelector("input[name=name]");
    // Keyboard only: the name field has focus; Tab to the password; Enter submits.
    await page.keyboard.type(name);
    await page.keyboard.press("Tab");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#who")?.textContent.includes("Log out"), { timeout: 15000 });
    timings[`login ${name} ms`] = Date.now() - t0;
  }
  async function logout() {
    await page.click("#who button");
    await page.waitForSelector("input[name=name]");
  }

  // The headers of the pages.
  const resp = await fetch(base + "/app/");
  const csp = resp.headers.get("content-security-policy") || "";
  check(csp.includes("script-src 'self'") && !csp.includes("unsafe-inline") && csp.includes("frame-ancestors 'none'"), "pages carry a strict Content-Security-Policy");
  check(resp.headers.get("x-content-type-options") === "nosniff", "X-Content-Type-Options: nosniff");

  // --- manager: create the audit
  await page.goto(base + "/app/", { waitUntil: "networkidle0" });
  await page.waitForSelector("input[name=name]");
  await labelled("login");
  await snap("login");
  await login("maria");
  const cookies = await page.cookies();
  const sc = cookies.find((c) => c.name === "ca_session");
  check(sc && sc.httpOnly && sc.sameSite === "Strict", "session cookie is HttpOnly and SameSite=Strict");
  // A change without the CSRF token is refused.
  const noCsrf = await page.evaluate(async () => (await fetch("/app/api/audits/1/close", { method: "POST" })).status);
  check(noCsrf === 403, `a POST without the CSRF token is refused (${noCsrf})`);
  await visit("#/audits/new", "New audit", "select[name=design]");
  await labelled("new audit");
  await page.select("select[name=design]", "stratified");
  await page.$eval("input[name=n]", (e) => { e.value = "1"; });
  await page.select("select[name=stratify_by]", "coder_id");
  await page.type("input[name=seed]", "20261205");
  // Only alex audits.
  await page.$$eval("input[name=auditor]", (boxes) => boxes.forEach((b) => { b.checked = b.value === "alex"; }));
  await snap("manager-new-audit");
  await page.click("form button[type=submit]");
  await page.waitForFunction(() => location.hash.match(/^#\/audits\/\d+$/), { timeout: 20000 });
  await page.waitForSelector("table");
  const auditId = +(await page.evaluate(() => location.hash.split("/")[2]));
  await labelled("audit");
  await snap("manager-audit");
  const oldCookie = (await page.cookies()).find((c) => c.name === "ca_session").value;
  await logout();
  // After logout the old cookie is worth nothing.
  const replay = await fetch(base + "/app/api/session", { headers: { Cookie: "ca_session=" + oldCookie } });
  check(replay.status === 401, `a logged-out session id is refused (${replay.status})`);

  // --- auditor: re-code three encounters, one of them coder C04's
  await login("alex");
  await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Worklist" && document.querySelector("table tbody tr"), { timeout: 20000 });
  await labelled("worklist");
  await snap("auditor-worklist");
  const worklist = await page.$$eval("table tbody tr", (trs) => trs.map((tr) => ({ id: tr.cells[0].innerText.trim(), coder: tr.cells[1].innerText.trim() })));
  const c04 = worklist.find((r) => r.coder === "C04");
  check(!!c04, "the stratified sample holds an encounter of coder C04");
  const picked = [c04, ...worklist.filter((r) => r !== c04)].slice(0, 3);
  const edits = [];
  for (const [i, enc] of picked.entries()) {
    const t0 = Date.now();
    await visit(`#/audits/${auditId}/enc/${encodeURIComponent(enc.id)}`, `Encounter ${enc.id}`, "table.editor tbody tr");
    timings["editor load ms"] = Date.now() - t0;
    if (i === 0) await labelled("editor");
    const codes = await page.$$eval("table.editor tbody tr", (trs) => trs.map((tr) => tr.querySelector("input.code").value));
    const types = await page.$$eval("table.editor tbody tr", (trs) => trs.map((tr) => tr.querySelector("select").value));
    if (i === 0) {
      // Strike the coder's last code with Alt+Delete, give the reason, save with Ctrl+S.
      await page.focus(`[aria-label="Code ${codes.length}"]`);
      await page.keyboard.down("Alt"); await page.keyboard.press("Delete"); await page.keyboard.up("Alt");
      await page.select(`[aria-label="Reason for striking ${codes[codes.length - 1]}"]`, "DOC");
      edits.push({ enc: enc.id, outcome: "added", type: types[types.length - 1], code: codes[codes.length - 1] });
    } else if (i === 1) {
      // Add a code with Alt+N, type it, pick a reason.
      await page.focus(`[aria-label="Code 1"]`);
      await page.keyboard.down("Alt"); await page.keyboard.press("n"); await page.keyboard.up("Alt");
      const n = codes.length + 1;
      await page.select(`[aria-label="Code ${n} type"]`, "DX");
      await page.type(`[aria-label="Code ${n}"]`, "Z79.4");
      await page.select(`[aria-label="Code ${n} reason"]`, "DOC");
      await page.type(`[aria-label="Code ${n} comment"]`, "insulin use documented");
      // The look-up answers from the sample tables on the date of service.
      let said = "";
      try {
        said = await (await page.waitForFunction((row) => {
          const o = document.querySelector(`tr[data-row="${row}"] output.lookup`);
          return o && o.title ? o.title : null;
        }, { timeout: 10000 }, n - 1)).jsonValue();
      } catch {
        await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true });
      }
      check(/icd10cm-order FY20\d\d|no icd10cm-order table/.test(said), `the code look-up answers as you type: ${said}`);
      // With a table in force, the code's description from it is shown beside the validity.
      if (/icd10cm-order FY20\d\d/.test(said)) {
        const shown = await page.$eval(`tr[data-row="${n - 1}"] output.lookup`, (o) => o.textContent);
        check(shown.includes("Sample diagnosis Z794 (synthetic title)"), `the look-up shows the code's description: ${shown}`);
      }
      await snap("auditor-editor-lookup");
      edits.push({ enc: enc.id, outcome: "omitted", code: "Z794" });
    } else {
      // Revise the principal diagnosis to another code of its category.
      const first = codes[0];
      await page.$eval(`[aria-label="Code 1"]`, (e) => { e.value = ""; });
      const revised = first.slice(0, 3) + (first.slice(3) === "9" ? "0" : "9");
      await page.type(`[aria-label="Code 1"]`, revised);
      await page.select(`[aria-label="Code 1 reason"]`, "SPEC");
      edits.push({ enc: enc.id, outcome: "revised", code: revised });
    }
    await page.keyboard.down("Control"); await page.keyboard.press("s"); await page.keyboard.up("Control");
    // The status names the encounter: the previous one's "saved" may still be showing.
    await waitText(`Draft of ${enc.id} saved`);
    if (i === 0) await snap("auditor-editor-draft");
    // A second tab still at version 0 cannot overwrite the draft: a clear 409.
    if (i === 0) {
      const stale = await page.evaluate(async (auditId, id) => {
        const s = await (await fetch("/app/api/session")).json();
        const r = await fetch(`/app/api/audits/${auditId}/encounters/${encodeURIComponent(id)}`, { method: "PUT", headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf }, body: JSON.stringify({ version: 0, submit: false, recoding: { lines: [{ type: "DX", code: "R69" }], removed: [] } }) });
        return { status: r.status, body: await r.json() };
      }, auditId, enc.id);
      check(stale.status === 409 && /saved by alex/.test(stale.body.error.message), `a stale save gets 409 with who saved: ${stale.body.error?.message}`);
    }
    await page.click("button.primary");
    await waitText(`Submitted ${enc.id}`);
    if (i === 0) await snap("auditor-editor-submitted");
  }
  await logout();

  // --- coder C04: disagree with the change
  await login("cole");
  await page.waitForFunction(() => document.querySelector("h1")?.textContent === "My audits" && document.querySelector("table tbody tr a"), { timeout: 20000 });
  await labelled("coder audits");
  await snap("coder-my-audits");
  await visit(`#/audits/${auditId}/enc/${encodeURIComponent(picked[0].id)}`, `Encounter ${picked[0].id}`, "tr.change");
  await labelled("coder encounter");
  const commentInput = await page.$("tr.change input");
  await commentInput.type("the record supports this code");
  const buttons = await page.$$("tr.change button");
  await buttons[1].click();   // Disagree
  await waitText("You disagreed");
  await snap("coder-encounter-disagreed");
  await logout();

  // --- manager: overturn, close, dashboard
  await login("maria");
  await visit(`#/audits/${auditId}/disputes`, "Disputes", "table tbody tr input");
  await labelled("disputes");
  await page.type("table tbody tr input", "code supported by the record");
  const overturn = (await page.$$("table tbody tr button"))[1];
  await overturn.click();
  await page.waitForFunction(() => document.body.innerText.includes("overturned"), { timeout: 15000 });
  await snap("manager-disputes");
  await visit(`#/audits/${auditId}`, "Quarterly", "button.primary");
  await page.click("button.primary");
  await page.waitForFunction(() => location.hash.endsWith("/dashboard") && document.querySelector("table tr[data-coder]"), { timeout: 60000 });
  await labelled("dashboard");
  await snap("manager-dashboard");
  const shown = await page.$$eval("tr[data-coder]", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
  const csv = await page.evaluate(async (id) => (await fetch(`/app/api/audits/${id}/auditor.csv`)).text(), auditId);
  const wb = await page.evaluate(async (id) => {
    const r = await fetch(`/app/api/audits/${id}/workbook`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return { status: r.status, type: r.headers.get("content-type"), base64: btoa(bin) };
  }, auditId);
  const workbook = path.join(out, "accuracy.xlsx");
  fs.writeFileSync(workbook, Buffer.from(wb.base64, "base64"));
  check(wb.status === 200 && wb.type.includes("spreadsheetml") && fs.statSync(workbook).size > 1000, "the accuracy workbook downloads");
  // The dashboard's figures are the workbook's (its Summary sheet, and the counts on its
  // Summary detail sheet, joined by coder; read with openpyxl).
  const py = spawnSync("/usr/bin/python3", ["-W", "ignore", "-c",
    "import json,sys,openpyxl\nwb=openpyxl.load_workbook(sys.argv[1],data_only=True)\nby={}\n" +
    "for name in ('Summary detail','Summary'):\n" +
    " rows=list(wb[name].iter_rows(values_only=True))\n h=rows[0]\n" +
    " for r in rows[1:]:\n  if r[0] and r[0]!='Total': by.setdefault(r[0],{}).update(dict(zip(h,r)))\n" +
    "print(json.dumps(list(by.values())))", workbook], { encoding: "utf8" });
  if (py.status === 0) {
    const sheet = JSON.parse(py.stdout);
    const pct = (v) => (v * 100).toFixed(1) + "%";
    check(sheet.length === shown.length, `the workbook has the dashboard's ${shown.length} coders`);
    for (const r of sheet) {
      const web = shown.find((w) => w[0] === r.Coder);
      const same = web && +web[1] === r.Encounters && +web[2] === r["Codes reviewed"] && +web[3] === r.Errors &&
        web[4] === pct(r["Code accuracy"]) && web[5] === `${pct(r["Code CI low"])}-${pct(r["Code CI high"])}` &&
        web[6] === pct(r["Claim accuracy"]) && +web[7] === r.Overturned && web[8] === r.Result;
      check(same, `coder ${r.Coder}: dashboard = workbook Summary`);
    }
  } else {
    console.log("note: python3-openpyxl is not installed: the workbook comparison is skipped");
  }
  await logout();
  // The coder's own scores.
  await login("cole");
  await visit(`#/scores/${auditId}`, "My scores", "tr[data-coder]");
  const coderRows = await (await page.waitForFunction(() => {
    const r = [...document.querySelectorAll("tr[data-coder]")].map((tr) => tr.dataset.coder);
    return r.length ? r : null;
  })).jsonValue();
  check(coderRows.length === 1 && coderRows[0] === "C04", `the coder sees only their own scores (${coderRows})`);
  await snap("coder-scores");
  check(consoleErrors.length === 0, `no script errors in the browser ${consoleErrors.join(" | ")}`);

  // --- the same decisions through the CLI, on a store of its own
  const cliDb = path.join(out, "cli.db");
  const run = (args) => spawnSync(bin, args, { encoding: "utf8" });
  run(["check", "--rules", path.join(src, "samples/rules/facility.xml"), "--db", cliDb, path.join(src, "samples/encounters.csv")]);
  fs.writeFileSync(path.join(out, "auditor.csv"), csv);
  const scored = run(["score", "--db", cliDb, "--auditor", path.join(out, "auditor.csv")]);
  check(scored.status === 0, "coderaudit score " + scored.stderr);
  const e0 = edits[0];
  fs.writeFileSync(path.join(out, "rebuttal.csv"),
    "encounter_id,code_type,coder_code,outcome,rebuttal,coder_comment,decision,decision_note\n" +
    `${e0.enc},${e0.type},${e0.code},${e0.outcome},disagree,the record supports this code,overturned,code supported by the record\n`);
  const rebutted = run(["rebuttal", "--db", cliDb, "--in", path.join(out, "rebuttal.csv")]);
  check(rebutted.status === 0, "coderaudit rebuttal " + rebutted.stderr);
  fs.writeFileSync(path.join(out, "cli-scores.txt"), scored.stdout + "\n" + rebutted.stdout);
  // CLI rows: coder enc codes errors acc CI claim [DRG] [net] result.
  const cliRows = rebutted.stdout.split("\n").filter((l) => /^C\d+\s/.test(l)).map((l) => l.trim().split(/\s+/));
  check(cliRows.length === shown.length && cliRows.length > 0, `as many coders in the dashboard (${shown.length}) as the CLI prints (${cliRows.length})`);
  for (const cli of cliRows) {
    const web = shown.find((r) => r[0] === cli[0]);
    const same = web && web[1] === cli[1] && web[2] === cli[2] && web[3] === cli[3] && web[4] === cli[4] && web[5] === cli[5] && web[6] === cli[6] && web[8] === cli[cli.length - 1];
    check(same, `coder ${cli[0]}: dashboard ${web ? web.join(" ") : "(missing)"} = CLI ${cli.join(" ")}`);
  }
  const overturned = shown.find((r) => r[0] === "C04");
  check(overturned && overturned[7] === "1", "the overturned change is counted for C04");
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
fs.writeFileSync(path.join(out, "timings.json"), JSON.stringify(timings, null, 2));
console.log("timings", JSON.stringify(timings));
console.log(`screenshots in ${shots}`);
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
