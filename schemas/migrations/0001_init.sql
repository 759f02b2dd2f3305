-- coderaudit store, schema version 1. Applied in one transaction by audit/store.
-- Runs are append-only: a run's rows are written in the transaction that creates it.

CREATE TABLE schema_migrations (
  version     INTEGER PRIMARY KEY,
  applied_at  TEXT NOT NULL
);

CREATE TABLE runs (
  run_id               INTEGER PRIMARY KEY,
  kind                 TEXT NOT NULL CHECK (kind IN ('check', 'score')),
  parent_run_id        INTEGER NOT NULL DEFAULT 0,  -- the check run a score run audits
  started_at           TEXT NOT NULL,               -- ISO 8601 UTC
  finished_at          TEXT NOT NULL,
  tool_version         TEXT NOT NULL,
  rule_set_name        TEXT NOT NULL DEFAULT '',
  rule_set_version     TEXT NOT NULL DEFAULT '',
  rule_set_hash        TEXT NOT NULL DEFAULT '',
  records_read         INTEGER NOT NULL,
  records_processed    INTEGER NOT NULL,
  records_rejected     INTEGER NOT NULL,
  encounters_read      INTEGER NOT NULL,
  encounters_processed INTEGER NOT NULL,
  encounters_rejected  INTEGER NOT NULL,
  findings             INTEGER NOT NULL,
  benchmark            REAL NOT NULL DEFAULT 0,
  CHECK (records_read = records_processed + records_rejected)
);

CREATE TABLE run_inputs (
  run_id  INTEGER NOT NULL REFERENCES runs(run_id),
  role    TEXT NOT NULL,      -- encounters | rules | auditor
  path    TEXT NOT NULL,
  sha256  TEXT NOT NULL,
  bytes   INTEGER NOT NULL,
  PRIMARY KEY (run_id, role, path)
);

CREATE TABLE encounters (
  run_id           INTEGER NOT NULL REFERENCES runs(run_id),
  encounter_id     TEXT NOT NULL,
  patient_id       TEXT NOT NULL,
  sex              TEXT NOT NULL,
  birth_date       TEXT NOT NULL,
  from_date        TEXT NOT NULL,
  through_date     TEXT NOT NULL,
  claim_type       TEXT NOT NULL,
  provider_id      TEXT NOT NULL,
  coder_id         TEXT NOT NULL,
  payer            TEXT NOT NULL,
  drg              TEXT NOT NULL,
  discharge_status TEXT NOT NULL,
  source_line      INTEGER NOT NULL,
  PRIMARY KEY (run_id, encounter_id)
);
CREATE INDEX encounters_by_coder ON encounters (run_id, coder_id);

CREATE TABLE encounter_lines (
  run_id        INTEGER NOT NULL,
  encounter_id  TEXT NOT NULL,
  position      INTEGER NOT NULL,   -- 1-based, as findings cite it
  code_type     TEXT NOT NULL,
  seq           INTEGER NOT NULL,
  code          TEXT NOT NULL,
  poa           TEXT NOT NULL,
  modifiers     TEXT NOT NULL,
  units         REAL NOT NULL,
  service_date  TEXT NOT NULL,      -- '' when the line has none
  charge_cents  INTEGER NOT NULL,
  source_line   INTEGER NOT NULL,
  PRIMARY KEY (run_id, encounter_id, position),
  FOREIGN KEY (run_id, encounter_id) REFERENCES encounters(run_id, encounter_id)
);

CREATE TABLE findings (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  seq           INTEGER NOT NULL,
  rule_id       TEXT NOT NULL,
  rule_version  TEXT NOT NULL,
  category      TEXT NOT NULL,
  citation      TEXT NOT NULL,
  severity      TEXT NOT NULL,
  disposition   TEXT NOT NULL,
  encounter_id  TEXT NOT NULL,
  lines         TEXT NOT NULL,      -- "2,5"
  fired         TEXT NOT NULL,      -- JSON object of the values that fired, in order
  message       TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE rejects (
  run_id  INTEGER NOT NULL REFERENCES runs(run_id),
  seq     INTEGER NOT NULL,
  file    TEXT NOT NULL,
  line    INTEGER NOT NULL,
  field   TEXT NOT NULL,
  reason  TEXT NOT NULL,
  raw     TEXT NOT NULL,           -- the record as read (may hold identifiers: never logged)
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE qa_diffs (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  seq           INTEGER NOT NULL,
  encounter_id  TEXT NOT NULL,
  coder_id      TEXT NOT NULL,
  auditor_id    TEXT NOT NULL,
  code_type     TEXT NOT NULL,
  line          INTEGER NOT NULL,
  coder_code    TEXT NOT NULL,
  auditor_code  TEXT NOT NULL,
  outcome       TEXT NOT NULL,
  detail        TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE qa_scores (
  run_id                INTEGER NOT NULL REFERENCES runs(run_id),
  coder_id              TEXT NOT NULL,
  encounters            INTEGER NOT NULL,
  error_free_encounters INTEGER NOT NULL,
  codes_reviewed        INTEGER NOT NULL,
  matches               INTEGER NOT NULL,
  errors                INTEGER NOT NULL,
  added                 INTEGER NOT NULL,
  omitted               INTEGER NOT NULL,
  revised               INTEGER NOT NULL,
  resequenced           INTEGER NOT NULL,
  modifier              INTEGER NOT NULL,
  units                 INTEGER NOT NULL,
  code_accuracy         REAL NOT NULL,
  code_ci_low           REAL NOT NULL,
  code_ci_high          REAL NOT NULL,
  claim_accuracy        REAL NOT NULL,
  claim_ci_low          REAL NOT NULL,
  claim_ci_high         REAL NOT NULL,
  benchmark             REAL NOT NULL,
  pass                  INTEGER NOT NULL,
  PRIMARY KEY (run_id, coder_id)
);
