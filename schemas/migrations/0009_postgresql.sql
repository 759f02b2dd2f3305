-- coderaudit store, schema version 9, what PostgreSQL stores need: each encounter's place in
-- its run's input, and scaled-out check runs.
--
-- A run lists its claims in input order. SQLite keeps that order as the encounters table's
-- rowid; PostgreSQL has no such column (a heap's physical order is not insertion order once
-- rows are deleted or a run is written by several workers), so the writer numbers each
-- encounter it stores, 1-based within the run. Rows stored before this version keep NULL
-- (SQLite still orders them by rowid; `coderaudit db copy` numbers them in rowid order).

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

ALTER TABLE encounters ADD COLUMN input_seq INTEGER;

-- Scaled-out check runs (PostgreSQL; `coderaudit check --partitions N`, `coderaudit worker`).
-- The run is created with its partitions and stays incomplete (hidden from run lists)
-- until the last partition's worker, in the transaction that stores that partition, adds
-- up the partitions' counts and marks it complete. A partition's rows and its done mark
-- are written in one transaction; a worker claims a partition with SELECT … FOR UPDATE
-- SKIP LOCKED, so a killed worker's partition is simply claimed again.
ALTER TABLE runs ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;

CREATE TABLE check_jobs (
  job_id        INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(run_id),
  created_at    TEXT NOT NULL,
  rules_path    TEXT NOT NULL,     -- workers compile the same rules (the hash must match)
  refdata_dir   TEXT NOT NULL,
  store_mode    TEXT NOT NULL CHECK (store_mode IN ('all', 'findings')),
  partitions    INTEGER NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('running', 'done'))
);

CREATE TABLE check_partitions (
  job_id                INTEGER NOT NULL REFERENCES check_jobs(job_id),
  seq                   INTEGER NOT NULL,   -- 1-based, in input order
  input_name            TEXT NOT NULL,      -- the encounter file, as the run's inputs name it
  first_line            INTEGER NOT NULL,   -- that file's line number of the first record
  body                  TEXT NOT NULL,      -- the file's header line and this part's records
  worker                TEXT,
  done_at               TEXT,               -- NULL until its rows are stored
  records_read          INTEGER NOT NULL DEFAULT 0,
  records_processed     INTEGER NOT NULL DEFAULT 0,
  records_rejected      INTEGER NOT NULL DEFAULT 0,
  encounters_read       INTEGER NOT NULL DEFAULT 0,
  encounters_processed  INTEGER NOT NULL DEFAULT 0,
  encounters_rejected   INTEGER NOT NULL DEFAULT 0,
  findings              INTEGER NOT NULL DEFAULT 0,
  claims_not_checked    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, seq)
);

CREATE TABLE check_partition_not_checked (
  job_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  rule_id       TEXT NOT NULL,
  rule_version  TEXT NOT NULL,
  table_name    TEXT NOT NULL,
  on_date       TEXT NOT NULL,
  claims        INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq, rule_id),
  FOREIGN KEY (job_id, seq) REFERENCES check_partitions(job_id, seq)
);
