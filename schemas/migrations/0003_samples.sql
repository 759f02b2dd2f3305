-- Stored encounter samples (audit/sampling/encounter_sample.hpp). A sample refers to the
-- check run whose encounters form its frame; everything needed to replay it is here.

CREATE TABLE samples (
  sample_id         INTEGER PRIMARY KEY,
  run_id            INTEGER NOT NULL REFERENCES runs(run_id),
  created_at        TEXT NOT NULL,
  design            TEXT NOT NULL,      -- simple | stratified | quota | targeted
  statistical       INTEGER NOT NULL,   -- 0: targeted, never extrapolated
  generator         TEXT NOT NULL,
  generator_version TEXT NOT NULL,
  seed              TEXT NOT NULL,
  definition        TEXT NOT NULL,      -- canonical JSON of the design (SpecToJson)
  frame_sha256      TEXT NOT NULL,      -- SHA-256 of the canonical frame text
  frame_size        INTEGER NOT NULL,
  tool_version      TEXT NOT NULL
);

CREATE TABLE sample_strata (
  sample_id   INTEGER NOT NULL REFERENCES samples(sample_id),
  stratum     TEXT NOT NULL,
  frame_size  INTEGER NOT NULL,
  n           INTEGER NOT NULL,
  spares      INTEGER NOT NULL,
  PRIMARY KEY (sample_id, stratum)
);

CREATE TABLE sample_items (
  sample_id        INTEGER NOT NULL REFERENCES samples(sample_id),
  stratum          TEXT NOT NULL,
  role             TEXT NOT NULL,       -- sample | spare
  selection_order  INTEGER NOT NULL,
  position         INTEGER NOT NULL,    -- 1-based position in the stratum's frame
  encounter_id     TEXT NOT NULL,
  PRIMARY KEY (sample_id, stratum, selection_order)
);

-- A spare brought in for a sampled encounter that could not be reviewed, and why.
CREATE TABLE sample_substitutions (
  sample_id      INTEGER NOT NULL REFERENCES samples(sample_id),
  seq            INTEGER NOT NULL,
  replaced       TEXT NOT NULL,         -- encounter id taken out of the sample
  spare          TEXT NOT NULL,         -- encounter id brought in (next unused spare)
  reason         TEXT NOT NULL,
  recorded_at    TEXT NOT NULL,
  PRIMARY KEY (sample_id, seq)
);
