-- coderaudit store, schema version 10: the coding team's audit workflow in the browser
-- (issue 14; audit/service/audit_workflow.hpp). Version 9 is the PostgreSQL backend's.
--
-- An audit is a sample of one check run's encounters, re-coded by auditors, answered by
-- the coders and settled by a manager; closing it scores it as a score run (and, when
-- coders answered, a rebuttal run) through the same code `coderaudit score` and
-- `coderaudit rebuttal` use. Every change is also an event of the audit trail.
-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

-- state: open | closed. policy_text: the scoring policy chosen ('' = the built-in
-- default). score_run_id: the auditors' score run; final_run_id: the run with the coders'
-- answers and the decisions applied (= score_run_id when nobody answered).
CREATE TABLE qa_audits (
  audit_id      INTEGER PRIMARY KEY,
  title         TEXT NOT NULL,
  check_run_id  INTEGER NOT NULL,
  sample_id     INTEGER NOT NULL,
  design        TEXT NOT NULL,
  policy_name   TEXT NOT NULL,
  policy_text   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  closed_at     TEXT NOT NULL DEFAULT '',
  score_run_id  INTEGER NOT NULL DEFAULT 0,
  final_run_id  INTEGER NOT NULL DEFAULT 0
);

-- One sampled encounter. state: new (not yet saved) | draft | submitted. version counts
-- saves (optimistic concurrency: a save names the version it started from). recoding is
-- the auditor's complete coding as rows of the auditor CSV layout
-- (schemas/auditor-csv.md, header AuditorCsvHeader()), '' before the first save.
CREATE TABLE qa_audit_encounters (
  audit_id      INTEGER NOT NULL REFERENCES qa_audits(audit_id),
  encounter_id  TEXT NOT NULL,
  position      INTEGER NOT NULL,
  coder_id      TEXT NOT NULL,
  auditor       TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL CHECK (state IN ('new', 'draft', 'submitted')),
  version       INTEGER NOT NULL DEFAULT 0,
  recoding      TEXT NOT NULL DEFAULT '',
  updated_at    TEXT NOT NULL DEFAULT '',
  updated_by    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (audit_id, encounter_id)
);
CREATE INDEX qa_audit_encounters_auditor ON qa_audit_encounters (audit_id, auditor, position);
CREATE INDEX qa_audit_encounters_coder ON qa_audit_encounters (audit_id, coder_id, position);

-- A coder's answer to one change (change: the row's index in the encounter's diff, which
-- is fixed once the re-coding is submitted) and the manager's decision on it.
CREATE TABLE qa_audit_responses (
  audit_id       INTEGER NOT NULL,
  encounter_id   TEXT NOT NULL,
  change_index   INTEGER NOT NULL,
  rebuttal       TEXT NOT NULL DEFAULT '',
  coder_comment  TEXT NOT NULL DEFAULT '',
  decision       TEXT NOT NULL DEFAULT '',
  decision_note  TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (audit_id, encounter_id, change_index)
);
