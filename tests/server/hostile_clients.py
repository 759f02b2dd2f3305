#!/usr/bin/env python3
"""Hostile clients against a real `coderaudit serve` process, while a well-behaved client
keeps checking claims. Each hostile client must get a clear 4xx answer or be dropped, and
the well-behaved client must get every answer, in time, the whole while.

    python3 tests/server/hostile_clients.py CODERAUDIT_BINARY SOURCE_DIR WORK_DIR [IDLE]

IDLE (default 10000) idle connections are held open during the last phase.
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time

BIN, SRC, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
IDLE = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
MAX_BODY = 1 << 20
REQUEST_TIMEOUT = 3

failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def http(port, method, path, body=b"", headers=None, timeout=10):
    """One request on a fresh connection; (status, body bytes)."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
            "Connection: close"]
    for k, v in (headers or {}).items():
        head.append(f"{k}: {v}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        return read_response(s)


def refused_status(port, data):
    """Sends an oversized request on a fresh connection and returns the answer's status, or
    None when the server dropped the connection without one. The server may answer and
    close while the client is still sending (it refuses from the head, before reading the
    rest), so the send can fail with a broken pipe; the answer is read all the same."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return read_response(s)[0]
        except (ConnectionResetError, BrokenPipeError):
            return None


def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None, data
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, rest[:length]


class Canary(threading.Thread):
    """Checks one claim every 50 ms on a keep-alive connection, reconnecting if dropped;
    records each answer's status and latency."""

    def __init__(self, port, token, claim):
        super().__init__(daemon=True)
        self.port, self.token, self.claim = port, token, claim
        self.stop = threading.Event()
        self.latencies, self.errors = [], []
        self.started = []  # when each answered request was sent, beside its latency

    def run(self):
        sock = None
        while not self.stop.is_set():
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                req = (f"POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(self.claim)}\r\n\r\n"
                       ).encode() + self.claim
                t0 = time.monotonic()
                sock.sendall(req)
                status, body = read_response(sock)
                self.latencies.append(time.monotonic() - t0)
                self.started.append(t0)
                if status != 200 or json.loads(body)["claims"][0]["decision"] not in ("hold", "release"):
                    self.errors.append(f"status {status}")
            except Exception as e:  # a canary that cannot get an answer is what we test for
                self.errors.append(repr(e))
                sock = None
            time.sleep(0.05)

    def wait_for_answer(self, grace, sent_by=None):
        """Waits up to `grace` seconds for an answer (to a request sent no later than
        `sent_by`, if given). A phase can end before the canary's request in flight is
        answered (slow builds such as ASan take a second for one check); the canary is only
        starved if such a request goes unanswered for longer than the latency we accept."""
        end = time.monotonic() + grace
        while time.monotonic() < end:
            if any(sent_by is None or t <= sent_by for t in list(self.started)):
                return
            time.sleep(0.02)

    def report(self, phase):
        lat = sorted(self.latencies)
        worst = lat[-1] if lat else None
        p99 = lat[int(len(lat) * 0.99) - 1] if len(lat) >= 100 else worst
        print(f"  canary during {phase}: {len(lat)} answers, {len(self.errors)} errors, "
              f"p99 {p99 * 1000 if p99 else float('nan'):.1f} ms, worst {worst * 1000 if worst else float('nan'):.1f} ms",
              flush=True)
        if self.errors:
            fail(f"{phase}: the well-behaved client got errors: {self.errors[:3]}")
        if not lat:
            fail(f"{phase}: the well-behaved client got no answer at all")
        elif worst > 5.0:
            fail(f"{phase}: the well-behaved client waited {worst:.2f} s for an answer")
        self.latencies, self.errors, self.started = [], [], []


def phase(name, canary, action):
    print(f"phase: {name}", flush=True)
    canary.latencies, canary.errors, canary.started = [], [], []
    try:
        action()
    except Exception as e:
        fail(f"{name}: the hostile client itself failed unexpectedly: {e!r}")
    time.sleep(0.3)
    canary.wait_for_answer(5.0, sent_by=time.monotonic())
    canary.report(name)


def main():
    os.makedirs(WORK, exist_ok=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    idle_count = min(IDLE, hard - 200)
    db = os.path.join(WORK, "hostile.db")
    if os.path.exists(db):
        os.remove(db)
    token = subprocess.run([BIN, "token", "create", "--db", db, "--role", "check"], check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [BIN, "serve", "--rules", os.path.join(SRC, "samples/rules/facility.xml"), "--db", db,
         "--listen", "127.0.0.1:0", "--threads", "4", "--max-body", str(MAX_BODY),
         "--request-timeout", str(REQUEST_TIMEOUT), "--access-log", os.path.join(WORK, "access.log")],
        stderr=subprocess.PIPE, text=True)
    port = None
    try:
        line = server.stderr.readline()  # "coderaudit serve: listening on 127.0.0.1:PORT ..."
        port = int(line.split("listening on ")[1].split(" ")[0].rsplit(":", 1)[1])
        claims = json.load(open(os.path.join(SRC, "samples/json/same_encounters.json")))["claims"]
        claim = json.dumps(claims[0]).encode()
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        canary = Canary(port, token, claim)
        canary.start()
        # The first check warms the server (slow under sanitizers); the phases measure the
        # server as it runs, so they start once the canary has had its first answer.
        canary.wait_for_answer(60.0)
        if not canary.latencies:
            fail("the well-behaved client got no first answer within 60 s")

        def malformed():
            cases = [
                (b"{\"claims\": [", "application/json"),
                (b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" * 2000, "application/json"),
                (b"ISA*00*garbage~IEA*1~", "application/edi-x12"),
                (b"\x00\xff\xfe not even text", "application/json"),
                (b"encounter_id\nx", "text/csv"),
                (b"{}", "application/x-unknown"),
            ]
            for body, ctype in cases:
                status, answer = http(port, "POST", "/v1/check", body, {**auth, "Content-Type": ctype})
                if status is None or not 400 <= status < 500:
                    fail(f"malformed {ctype} body answered {status}")
                elif b"\"error\"" not in answer:
                    fail(f"malformed {ctype} body: no error object in the answer")
            status, _ = http(port, "GET", "/v1/%ZZ", b"", auth)
            if status != 400 and status != 404:
                fail(f"a malformed path answered {status}")
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
                status, _ = read_response(s)
                if status != 400:
                    fail(f"a request line that is not HTTP answered {status}")

        def oversized():
            # Announced too large: refused from the head, before the body is read.
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(f"POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {MAX_BODY * 50}\r\n\r\n".encode())
                status, _ = read_response(s)
                if status != 413:
                    fail(f"a body announced at 50 MiB answered {status}")
            over = (f"POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {MAX_BODY + 1}\r\n"
                    f"Connection: close\r\n\r\n").encode() + b" " * (MAX_BODY + 1)
            status = refused_status(port, over)
            if status not in (413, None):
                fail(f"a body one byte over the limit answered {status}")
            status = refused_status(port, b"GET /v1/health HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " +
                                    b"a" * 100000 + b"\r\n\r\n")
            if status not in (431, None):
                fail(f"a 100 KB header answered {status}")
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
                status, _ = read_response(s)
                if status != 411:
                    fail(f"a chunked body answered {status}")

        def slow_senders():
            # Ten clients trickle a request a byte at a time: each is cut off (408 or closed)
            # after the request timeout, and none holds up the canary.
            socks = [socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT + 5) for _ in range(10)]
            request = (f"POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(claim)}\r\n\r\n").encode() + claim
            start = time.monotonic()
            cut = [False] * len(socks)
            i = 0
            while time.monotonic() - start < REQUEST_TIMEOUT + 3 and not all(cut):
                for k, s in enumerate(socks):
                    if cut[k]:
                        continue
                    try:
                        s.sendall(request[i:i + 1] if i < len(request) - 1 else b"")
                    except OSError:
                        cut[k] = True
                i += 1
                time.sleep(0.2)
            for k, s in enumerate(socks):
                if not cut[k]:
                    s.settimeout(3)
                    try:
                        status, _ = read_response(s)
                        cut[k] = status == 408 or status is None
                    except OSError:
                        cut[k] = True
                s.close()
            if not all(cut):
                fail(f"{cut.count(False)} slow senders were never cut off")

        def disconnects():
            for n in range(50):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                body = claim * 10
                s.sendall(f"POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                          + body[:len(body) // (2 + n % 3)])
                if n % 2:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
                s.close()

        def idle_flood():
            held = []
            try:
                for _ in range(idle_count):
                    held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                print(f"  holding {len(held)} idle connections", flush=True)
                time.sleep(2)
                # A fresh client, while they are all open, still gets its answer.
                status, body = http(port, "POST", "/v1/check", claim, auth)
                if status != 200:
                    fail(f"a new client during the idle flood answered {status}")
            finally:
                for s in held:
                    s.close()

        phase("malformed bodies", canary, malformed)
        phase("oversized bodies and heads", canary, oversized)
        phase("slow senders", canary, slow_senders)
        phase("disconnects mid-request", canary, disconnects)
        phase(f"{idle_count} idle connections", canary, idle_flood)
        canary.stop.set()
        canary.join()
        if server.poll() is not None:
            fail(f"the server exited with {server.returncode}")
        status, _ = http(port, "GET", "/v1/health")
        if status != 200:
            fail(f"after everything, /v1/health answered {status}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            fail("the server did not stop on SIGTERM within 30 s")
    log = open(os.path.join(WORK, "access.log")).read()
    patient = json.load(open(os.path.join(SRC, "samples/json/same_encounters.json")))["claims"][0]["patient_id"]
    for secret in (token.split("_", 2)[2], patient):  # ca_<id>_<secret>; the secret may hold "_"
        if secret in log:
            fail(f"the access log contains '{secret[:8]}...'")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
