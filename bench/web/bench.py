#!/usr/bin/env python3
"""The browser workflow at size (issue 14 item 7): a check run of ~10,000 encounters by
1,000 coders; an audit of 10,000 encounters (the worklist: pages, server-side filters) and
one of 1,000 coders (one encounter each: every one re-coded and submitted, the audit
closed and scored, the dashboard's scores read). Prints the median and worst time of
each request as the server answers it over loopback (no browser rendering).

usage: python3 bench/web/bench.py [BUILD_DIR]      (writes nothing outside a temp dir)
"""
import csv, http.client, json, os, socket, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build")
binary = os.path.join(build, "audit", "coderaudit")
tmp = tempfile.mkdtemp(prefix="coderaudit-webbench-")
db = os.path.join(tmp, "bench.db")
password = "bench-password-1"

def run(*args, stdin=None):
    return subprocess.run([binary, *args], input=stdin, capture_output=True, text=True)

# ~10,000 encounters, coder ids spread over 1,000 coders.
gen = os.path.join(tmp, "gen.csv")
run("generate", "--lines", "45000", "--out", gen, "--seed", "7")
spread = os.path.join(tmp, "claims.csv")
with open(gen, newline="") as f, open(spread, "w", newline="") as g:
    r = csv.DictReader(f)
    w = csv.DictWriter(g, r.fieldnames)
    w.writeheader()
    n = -1
    last = None
    for row in r:
        if row["encounter_id"] != last:
            last = row["encounter_id"]
            n += 1
        if row["coder_id"]:
            row["coder_id"] = "K%04d" % (n % 1000)
        w.writerow(row)
run("check", "--rules", os.path.join(root, "samples/rules/facility.xml"), "--db", db, spread)
pw = os.path.join(tmp, "pw")
open(pw, "w").write(password + "\n")
run("user", "add", "maria", "--db", db, "--role", "manager", "--password-file", pw)
run("user", "add", "alex", "--db", db, "--role", "auditor", "--password-file", pw)

s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([binary, "serve", "--rules", os.path.join(root, "samples/rules/facility.xml"),
                           "--db", db, "--listen", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = {}

class Client:
    def __init__(self):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookie = ""
        self.csrf = ""
    def call(self, method, path, body=None, label=None):
        headers = {"X-Requested-With": "coderaudit", "X-CSRF-Token": self.csrf}
        if self.cookie: headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body); headers["Content-Type"] = "application/json"
        t0 = time.perf_counter()
        try:
            self.c.request(method, path, body=data, headers=headers)
            r = self.c.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection (10 s): a new one.
            self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            t0 = time.perf_counter()
            self.c.request(method, path, body=data, headers=headers)
            r = self.c.getresponse()
        payload = r.read()
        ms = (time.perf_counter() - t0) * 1000
        if label: times.setdefault(label, []).append(ms)
        if r.status >= 400: raise RuntimeError(f"{method} {path}: {r.status} {payload[:300]}")
        sc = r.getheader("Set-Cookie")
        if sc: self.cookie = sc.split(";")[0]
        return json.loads(payload) if r.getheader("Content-Type", "").startswith("application/json") else payload
    def login(self, name):
        s = self.call("POST", "/app/api/session", {"name": name, "password": password}, "login (PBKDF2 600k)")
        self.csrf = s["csrf"]

try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
        except OSError: time.sleep(0.1)
    m = Client(); m.login("maria")
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for asset in ["/app/", "/app/app.css", "/app/app.js", "/app/api.js", "/app/ui.js", "/app/manager.js", "/app/auditor.js", "/app/coder.js"]:
            m.call("GET", asset)
        rounds.append((time.perf_counter() - t0) * 1000)
    times["page load: index + 7 assets"] = rounds
    big = m.call("POST", "/app/api/audits", {"title": "10,000", "design": "simple", "n": 10000, "seed": "1", "auditors": ["alex"]}, "create audit: draw 10,000 + store")["id"]
    a = Client(); a.login("alex")
    for off in [0, 5000, 9950]:
        for _ in range(3):
            a.call("GET", f"/app/api/audits/{big}/encounters?offset={off}&limit=50", label="worklist page of 50 (10,000)")
    for _ in range(3):
        a.call("GET", f"/app/api/audits/{big}/encounters?coder=K0500&limit=50", label="worklist filter by coder")
        a.call("GET", f"/app/api/audits/{big}/encounters?q=0099&limit=50", label="worklist search by id")
        a.call("GET", f"/app/api/audits/{big}/encounters?state=new&limit=50", label="worklist filter by state")
        m.call("GET", f"/app/api/audits/{big}", label="audit progress (10,000)")
        m.call("GET", "/app/api/audits", label="audit list")
    first = a.call("GET", f"/app/api/audits/{big}/encounters?limit=20")["rows"]
    for r in first:
        a.call("GET", f"/app/api/audits/{big}/encounters/{r['encounter_id']}", label="encounter view")
    # 1,000 coders, one encounter each: re-coded, submitted, closed, scored.
    coders = m.call("POST", "/app/api/audits", {"title": "1,000 coders", "design": "stratified", "stratify_by": "coder_id", "n": 1, "seed": "2", "auditors": ["alex"]}, "create audit: 1,000 strata")["id"]
    rows = a.call("GET", f"/app/api/audits/{coders}/encounters?limit=1000")["rows"]
    for i, r in enumerate(rows):
        v = a.call("GET", f"/app/api/audits/{coders}/encounters/{r['encounter_id']}")
        rec = v["auditor"]
        if i % 3 == 0 and len(rec["lines"]) > 1:
            gone = rec["lines"].pop()
            rec["removed"].append({"type": gone["type"], "code": gone["code"], "reason": "DOC", "comment": ""})
        a.call("PUT", f"/app/api/audits/{coders}/encounters/{r['encounter_id']}", {"version": v["row"]["version"], "submit": True, "recoding": rec}, "submit a re-coding")
    m.call("POST", f"/app/api/audits/{coders}/close", {}, "close: score 1,000 encounters")
    s = m.call("GET", f"/app/api/audits/{coders}/scores", label="dashboard scores (1,000 coders)")
    m.call("GET", f"/app/api/audits/{coders}/workbook", label="accuracy workbook (1,000 coders)")
    print(f"encounters in the big audit: 10,000; coders scored: {len(s['coders'])}")
finally:
    server.terminate(); server.wait()
    subprocess.run(["rm", "-rf", tmp])

print(f"{'request':45s} {'n':>5s} {'median ms':>10s} {'max ms':>10s}")
for k, v in times.items():
    print(f"{k:45s} {len(v):5d} {statistics.median(v):10.1f} {max(v):10.1f}")
