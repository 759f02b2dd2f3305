-- coderaudit store, schema version 6: claims a rule could not judge.
--
-- A rule that reads a reference table with no loaded version in force on a claim's date
-- cannot judge that claim. Such a claim is "not checked" by that rule, never clean: every
-- (claim, rule) pair is a row of not_checked, with the table and the date looked up; the
-- per-rule counts are kept with the run so summaries need not scan the rows. Runs stored
-- before this version read back with no not-checked claims (they were not detected).

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

ALTER TABLE runs ADD COLUMN claims_not_checked INTEGER NOT NULL DEFAULT 0;

CREATE TABLE not_checked (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  seq           INTEGER NOT NULL,
  encounter_id  TEXT NOT NULL,
  rule_id       TEXT NOT NULL,
  rule_version  TEXT NOT NULL,
  table_name    TEXT NOT NULL,     -- table kind, e.g. ptp-practitioner
  on_date       TEXT NOT NULL,     -- ISO date the table was looked up for
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE run_not_checked_rules (
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  rule_id       TEXT NOT NULL,
  rule_version  TEXT NOT NULL,
  table_name    TEXT NOT NULL,     -- the first claim's table and date
  on_date       TEXT NOT NULL,
  claims        INTEGER NOT NULL,
  PRIMARY KEY (run_id, rule_id)
);
