-- coderaudit store, schema version 2: coder QA v2 (audit/qa/README.md).
-- Score runs record their frozen scoring policy and where they came from; diff rows get
-- the principal flag, direction, money, the auditor's reason and comment, and the
-- rebuttal; a score run's encounters get their DRGs and payment difference; scores get
-- the new measures. Everything is additive: version-1 runs read back unchanged (their
-- policy is the built-in default, their rows neutral and without money).

CREATE TABLE qa_score_runs (
  run_id              INTEGER PRIMARY KEY REFERENCES runs(run_id),
  origin              TEXT NOT NULL CHECK (origin IN ('auditor', 'rescore', 'rebuttal')),
  source_run_id       INTEGER NOT NULL DEFAULT 0,  -- the score run re-scored or rebutted
  policy_id           TEXT NOT NULL,
  policy_version      TEXT NOT NULL,
  policy_sha256       TEXT NOT NULL,
  policy_text         TEXT NOT NULL,               -- the policy's exact bytes, frozen
  benchmark_override  REAL NOT NULL DEFAULT 0,     -- score --benchmark; 0 = the policy's
  base_rate           REAL NOT NULL DEFAULT 0,     -- dollars per 1.0 of DRG weight
  drg_weights_sha256  TEXT NOT NULL DEFAULT '',
  cc_mcc_sha256       TEXT NOT NULL DEFAULT ''
);

ALTER TABLE qa_diffs ADD COLUMN principal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_diffs ADD COLUMN direction TEXT NOT NULL DEFAULT 'neutral';
ALTER TABLE qa_diffs ADD COLUMN amount_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_diffs ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE qa_diffs ADD COLUMN comment TEXT NOT NULL DEFAULT '';
ALTER TABLE qa_diffs ADD COLUMN rebuttal TEXT NOT NULL DEFAULT '';
ALTER TABLE qa_diffs ADD COLUMN rebuttal_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE qa_diffs ADD COLUMN decision TEXT NOT NULL DEFAULT '';
ALTER TABLE qa_diffs ADD COLUMN decision_note TEXT NOT NULL DEFAULT '';

CREATE TABLE qa_encounters (
  run_id              INTEGER NOT NULL REFERENCES runs(run_id),
  encounter_id        TEXT NOT NULL,
  coder_id            TEXT NOT NULL,
  auditor_id          TEXT NOT NULL,
  coder_drg           TEXT NOT NULL,
  auditor_drg         TEXT NOT NULL,
  coder_weight        REAL NOT NULL,               -- 0 when not known
  auditor_weight      REAL NOT NULL,
  payment_method      TEXT NOT NULL CHECK (payment_method IN ('none', 'drg', 'charges')),
  payment_diff_cents  INTEGER NOT NULL,            -- + when the coder's coding pays more
  PRIMARY KEY (run_id, encounter_id)
);

ALTER TABLE qa_scores ADD COLUMN poa INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN weighted_errors REAL NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg_encounters INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg_changes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg_accuracy REAL NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg_ci_low REAL NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN drg_ci_high REAL NOT NULL DEFAULT 1;
ALTER TABLE qa_scores ADD COLUMN over_coded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN under_coded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN overpayment_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN underpayment_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN rebutted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE qa_scores ADD COLUMN overturned INTEGER NOT NULL DEFAULT 0;
-- Version-1 scores weighted every error 1.
UPDATE qa_scores SET weighted_errors = errors;

CREATE TABLE qa_score_types (
  run_id           INTEGER NOT NULL REFERENCES runs(run_id),
  coder_id         TEXT NOT NULL,
  code_type        TEXT NOT NULL CHECK (code_type IN ('DX', 'PCS', 'HCPCS', 'DRG')),
  positions        INTEGER NOT NULL,
  matches          INTEGER NOT NULL,
  errors           INTEGER NOT NULL,
  weighted_errors  REAL NOT NULL,
  accuracy         REAL NOT NULL,
  PRIMARY KEY (run_id, coder_id, code_type)
);
