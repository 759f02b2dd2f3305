-- coderaudit store, schema version 8: users with roles, API tokens that belong to a user,
-- and the tamper-evident audit trail (audit/store/TRAIL.md).
--
-- A user's password is kept only as a PBKDF2-HMAC-SHA256 hash with a random 16-byte salt
-- (audit/service/users.cpp, through the same function as API tokens); hash_hex '' means
-- the user cannot log in (the service account below). A disabled user keeps its row
-- (disabled_at set), like a revoked token, so the trail's names stay resolvable.
-- coder_id is the coder id claims carry for this person: a user with role coder sees only
-- the rows of that coder id.

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

CREATE TABLE users (
  user_id      INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  role         TEXT NOT NULL CHECK (role IN ('auditor', 'coder', 'manager', 'compliance', 'investigator', 'admin')),
  coder_id     TEXT NOT NULL DEFAULT '',
  salt_hex     TEXT NOT NULL,
  hash_hex     TEXT NOT NULL,
  iterations   INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  disabled_at  TEXT
);

-- Tokens act as their user, narrowed by their scope: the old role column keeps its values
-- and now means the scope (check: check claims and poll; read: reads only; admin: all the
-- user's role allows). Tokens made before this version belong to the service account
-- 'service' (role admin, no password), made here only when there are such tokens: with
-- their scopes they may do exactly what they could before.
ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users(user_id);
INSERT INTO users (user_id, name, role, coder_id, salt_hex, hash_hex, iterations, created_at) SELECT 1, 'service', 'admin', '', '', '', 0, (SELECT MIN(created_at) FROM api_tokens) WHERE EXISTS (SELECT 1 FROM api_tokens);
UPDATE api_tokens SET user_id = 1 WHERE user_id IS NULL;

-- The trail: one append-only hash chain per store. Event seq n carries the hash of event
-- n-1 (64 zeros for event 1) and its own hash: SHA-256 of its canonical serialisation
-- (audit/store/TRAIL.md). run_id is the engagement (the check run) the event belongs to,
-- 0 for store-wide events (users, tokens, rule sets). before_json / after_json are JSON
-- text, hashed as text.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor        TEXT NOT NULL,
  action       TEXT NOT NULL,
  subject      TEXT NOT NULL,
  run_id       INTEGER NOT NULL DEFAULT 0,
  before_json  TEXT NOT NULL,
  after_json   TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX audit_events_by_run ON audit_events (run_id, seq);

-- The chain's head, one row. An append first updates this row, which serialises appends
-- on every backend (SQLite: the write lock; PostgreSQL: the row lock until commit), then
-- reads the new seq and the previous hash from it: two writers can never both extend the
-- same event.
CREATE TABLE audit_trail_head (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  seq        INTEGER NOT NULL,
  hash       TEXT NOT NULL
);
INSERT INTO audit_trail_head (singleton, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
