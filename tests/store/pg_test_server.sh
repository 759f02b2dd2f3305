# Sourced by the PostgreSQL shell tests: skips (exit 77) without CODERAUDIT_TEST_PG or psql,
# else sets superuser, hostport and admin (the superuser's URL to the postgres database)
# from CODERAUDIT_TEST_PG = postgresql://SUPERUSER@HOST:PORT/DB (scripts/pg.sh).
[ -n "${CODERAUDIT_TEST_PG:-}" ] || { echo "skipped: CODERAUDIT_TEST_PG is not set"; exit 77; }
command -v psql > /dev/null || { echo "skipped: psql not installed"; exit 77; }
rest=${CODERAUDIT_TEST_PG#*://}
superuser=${rest%%@*}
hostport=${rest#*@}; hostport=${hostport%%/*}
admin="postgresql://$superuser@$hostport/postgres"
