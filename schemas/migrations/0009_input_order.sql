-- coderaudit store, schema version 9: each encounter's place in its run's input.
--
-- A run lists its claims in input order. SQLite keeps that order as the encounters table's
-- rowid; PostgreSQL has no such column (a heap's physical order is not insertion order once
-- rows are deleted or a run is written by several workers), so the writer numbers each
-- encounter it stores, 1-based within the run. Rows stored before this version keep NULL
-- (SQLite still orders them by rowid; `coderaudit db copy` numbers them in rowid order).

-- Statements end a line with ';' (audit/store/store.cpp splits on it): notes go above.

ALTER TABLE encounters ADD COLUMN input_seq INTEGER;
