-- Appraisals of stored samples (`appraise ... --db --sample-id`), so a demand amount can be
-- traced to the sample, the exact input files (SHA-256) and the figures printed.
CREATE TABLE sample_appraisals (
  appraisal_id   INTEGER PRIMARY KEY,
  sample_id      INTEGER NOT NULL REFERENCES samples(sample_id),
  kind           TEXT NOT NULL,          -- variable | attribute
  recorded_at    TEXT NOT NULL,
  tool_version   TEXT NOT NULL,
  inputs         TEXT NOT NULL,          -- what was appraised: file paths or the counts given
  inputs_sha256  TEXT NOT NULL,          -- SHA-256 of the input bytes (files in order, or the counts text)
  demand_amount  REAL,                   -- variable: the two-sided 80% lower limit; NULL for attribute
  report_json    TEXT NOT NULL,          -- every figure, as `--format json` prints it
  report_sha256  TEXT NOT NULL
);
