#!/usr/bin/env bash
# One timed comparison on one claims file: `coderaudit check` (NCCI PTP + MUE + add-on
# packs) against the same PTP and MUE checks written as SQL in the sqlite3 CLI.
# Both sides get their reference tables ready beforehand (refdata import / SQL import
# and index), so each timed run is: read the claims CSV, check, store the result.
#
#   compare.sh CODERAUDIT CLAIMS.csv REFDATA_DIR PTP.tsv[.gz] MUE.csv WORKDIR RUNS [STORE_MODE]
# (STORE_MODE: all, findings, or - to pass no --store option)
#
# Prints one line per run: "coderaudit WALL_S RSS_KB" and "sqlite WALL_S RSS_KB", then
# the findings counts of the last run on each side (a check that both did the work).
set -euo pipefail
BIN=$1 CLAIMS=$2 REFDATA=$3 PTP=$4 MUE=$5 WORK=$6 RUNS=$7 MODE=${8:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"

# Reference tables for SQLite, once (the counterpart of `refdata import`).
BASE=$WORK/tables.db
if [ ! -f "$BASE" ]; then
  case "$PTP" in *.gz) zcat "$PTP" > "$WORK/ptp.tsv" ;; *) cp "$PTP" "$WORK/ptp.tsv" ;; esac
  sqlite3 "$BASE" <<SQL
CREATE TABLE ptp(column1 TEXT, column2 TEXT, deletion_date TEXT, modifier TEXT, rationale TEXT);
CREATE TABLE mue(hcpcs_code TEXT, mue_units INTEGER, mue_mai INTEGER, mue_rationale TEXT, mue_service TEXT);
.mode tabs
.import --skip 1 $WORK/ptp.tsv ptp
.mode csv
.import --skip 1 $MUE mue
CREATE INDEX ptp_pair ON ptp(column1, column2);
CREATE INDEX mue_code ON mue(hcpcs_code);
SQL
fi

measure() {  # prints "WALL_S RSS_KB" of the command (exit 1, 5, 6: a completed check run)
  /usr/bin/time -v "$@" > "$WORK/out.txt" 2> "$WORK/time.txt" || { rc=$?; case $rc in 1|5|6) ;; *) cat "$WORK/time.txt" >&2; exit $rc ;; esac; }
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
              /Maximum resident set size/ { rss = $2 }
              END { printf "%.3f %d\n", wall, rss }' "$WORK/time.txt"
}

# PTP: both codes of an active pair on one encounter and date, unless the pair allows a
# modifier and column 2 carries an NCCI-associated one. MUE: units of a code per
# encounter and date of service above the limit. Results are stored, like findings.
cat > "$WORK/check.sql" <<SQL
PRAGMA journal_mode=OFF;
CREATE TABLE claims(encounter_id, patient_id, sex, birth_date, from_date, through_date,
  claim_type, provider_id, coder_id, payer, drg, discharge_status, code_type, seq, code, poa,
  modifiers, units, service_date, charge);
.mode csv
.import --skip 1 $CLAIMS claims
CREATE TABLE lines AS SELECT rowid AS line, encounter_id, code, modifiers,
  CAST(units AS INTEGER) AS units, service_date FROM claims WHERE code_type = 'HCPCS';
CREATE INDEX lines_dos ON lines(encounter_id, service_date);
CREATE TABLE ptp_hits AS
  SELECT a.encounter_id, a.service_date, a.code AS column1, b.code AS column2
  FROM lines a JOIN lines b ON b.encounter_id = a.encounter_id
    AND b.service_date = a.service_date AND b.line <> a.line
  JOIN ptp p ON p.column1 = a.code AND p.column2 = b.code
  WHERE (p.deletion_date = '*' OR p.deletion_date >= replace(a.service_date, '-', ''))
    AND NOT (p.modifier = '1' AND ((';' || b.modifiers || ';') GLOB '*;59;*'
                                    OR (';' || b.modifiers || ';') GLOB '*;X[ESPU];*'));
CREATE TABLE mue_hits AS
  SELECT l.encounter_id, l.service_date, l.code, sum(l.units) AS units, m.mue_units
  FROM lines l JOIN mue m ON m.hcpcs_code = l.code
  GROUP BY l.encounter_id, l.service_date, l.code HAVING sum(l.units) > m.mue_units;
.mode list
SELECT 'sqlite ptp ' || (SELECT count(*) FROM ptp_hits) || ' mue ' || (SELECT count(*) FROM mue_hits);
SQL

STORE_ARGS=(--store "$MODE")
[ "$MODE" != "-" ] || STORE_ARGS=()   # "-": a build from before --store existed
for run in $(seq 1 "$RUNS"); do
  rm -f "$WORK/store.db" "$WORK/sql.db"
  echo "coderaudit $(measure "$BIN" check --rules "$HERE/ncci.xml" --refdata "$REFDATA" \
      --db "$WORK/store.db" "${STORE_ARGS[@]}" "$CLAIMS")"
  cp "$WORK/out.txt" "$WORK/coderaudit_out.txt"
  cp "$BASE" "$WORK/sql.db"
  echo "sqlite $(measure sqlite3 "$WORK/sql.db" < "$WORK/check.sql")"
done
echo "findings: coderaudit $(grep -m1 -E '^ *findings' "$WORK/coderaudit_out.txt" | tr -s ' ' || true);" \
  "$(grep -o 'sqlite ptp.*' "$WORK/out.txt" || true)"
