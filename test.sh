#!/usr/bin/env bash
# Runs the whole test suite: state machine tests, persistence tests on real SQLite and
# PostgreSQL, and gateway and end-to-end tests over loopback against the provider sandbox,
# on the embedded default and on RabbitMQ + PostgreSQL; then the chaos run at its quick size.
# Installs and starts PostgreSQL and RabbitMQ when none is reachable (Debian, as root), or
# uses PAYOUTS_TEST_POSTGRES / PAYOUTS_TEST_RABBITMQ; tests create their own databases, and
# each run gets its own RabbitMQ virtual host. The dashboard is tested in Debian's chromium
# (installed likewise, or PAYOUTS_TEST_CHROMIUM). The persistence suite also runs on SQL Server when
# PAYOUTS_TEST_SQLSERVER names one (no SQL Server installs on Debian).
# Prints a closing line "N passed, N failed" and exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PAYOUTS_TEST_POSTGRES=$(scripts/postgres.sh)
made_vhost=${PAYOUTS_TEST_RABBITMQ:-yes}
PAYOUTS_TEST_RABBITMQ=$(scripts/rabbitmq.sh)
PAYOUTS_TEST_CHROMIUM=$(scripts/chromium.sh)
export PAYOUTS_TEST_POSTGRES PAYOUTS_TEST_RABBITMQ PAYOUTS_TEST_CHROMIUM

dotnet build Payouts.Bus.sln --configuration Release --nologo --verbosity quiet

log=$(mktemp)
# The suite's own virtual host goes with it: every one left behind makes each later broker restart slower.
cleanup() {
  rm -f "$log"
  if [ "$made_vhost" = yes ]; then rabbitmqctl -q delete_vhost "${PAYOUTS_TEST_RABBITMQ##*/}" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
status=0
dotnet test Payouts.Bus.sln --configuration Release --no-build --nologo --verbosity quiet --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

# The chaos run at its quick size: two processors, kills, a rolling restart, RabbitMQ and PostgreSQL
# restarted, then everything reconciled against the sandbox's ledger. Counted as one test.
chaos_status=0
./chaos.sh --quick 2>&1 | tee -a "$log" || chaos_status=$?
if [ "$chaos_status" -eq 0 ]; then
  echo "Passed!  - Failed: 0, Passed: 1, Skipped: 0 - chaos run (./chaos.sh --quick)" | tee -a "$log"
else
  echo "Failed!  - Failed: 1, Passed: 0, Skipped: 0 - chaos run (./chaos.sh --quick)" | tee -a "$log"
  status=1
fi

# dotnet test prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 66, Skipped: 0, ..."
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed)
failed=$(sum Failed)
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
if [ -z "${PAYOUTS_TEST_SQLSERVER:-}" ]; then
  echo "SQL Server: the persistence suite did NOT run against a SQL Server (none installs here); its T-SQL was only parsed and checked against the EF model. Set PAYOUTS_TEST_SQLSERVER to a server's connection string to run it."
fi
echo "$passed passed, $failed failed"
exit "$status"
