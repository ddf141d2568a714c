#!/usr/bin/env bash
# The chaos run: several processor processes on one RabbitMQ + PostgreSQL, the provider sandbox as a
# process of its own with its faults on, payouts over the four providers, and while it runs a processor
# killed (SIGKILL) every few seconds and started again, a rolling restart (SIGTERM), a RabbitMQ restart
# and a PostgreSQL restart. Ends with a reconciliation of the processor's records, the events heard and
# the sandbox's ledger; exits non-zero on any mismatch.
#   ./chaos.sh                 10,000 payouts, 3 processors
#   ./chaos.sh --quick         600 payouts, 2 processors (run by ./test.sh)
#   ./chaos.sh --payouts N --processors N
# Starts PostgreSQL and RabbitMQ like ./test.sh (Debian, as root) and restarts them mid-run, so it runs
# where they run, as root. PAYOUTS_TEST_POSTGRES may name another PostgreSQL (then it is not restarted,
# and the report says so); the broker is always the local one.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PAYOUTS_CHAOS_POSTGRES=$(scripts/postgres.sh)
# The broker is always the local one, in a virtual host of the run's own: the run restarts it and counts
# what its _error queues hold.
PAYOUTS_CHAOS_RABBITMQ=$(PAYOUTS_TEST_RABBITMQ='' scripts/rabbitmq.sh)
export PAYOUTS_CHAOS_POSTGRES PAYOUTS_CHAOS_RABBITMQ
# Every virtual host left behind makes each later broker restart slower (RabbitMQ recovers them all).
trap 'rabbitmqctl -q delete_vhost "${PAYOUTS_CHAOS_RABBITMQ##*/}" >/dev/null 2>&1 || true' EXIT
export PAYOUTS_CHAOS_RESTART_RABBITMQ="rabbitmqctl -q stop_app && rabbitmqctl -q start_app && rabbitmqctl -q await_startup"
if command -v pg_lsclusters >/dev/null && [[ "$PAYOUTS_CHAOS_POSTGRES" =~ Host=(127\.0\.0\.1|localhost)\; ]]; then
  cluster=$(pg_lsclusters --no-header | awk 'NR==1 { print $1 " " $2 }')
  export PAYOUTS_CHAOS_RESTART_POSTGRES="pg_ctlcluster $cluster restart -m fast"
fi

for project in src/Host src/Sandbox.Host chaos/Chaos; do
  dotnet build "$project" --configuration Release --nologo --verbosity quiet
done
export PAYOUTS_CHAOS_HOST_DLL=$PWD/src/Host/bin/Release/net10.0/Payouts.Bus.Host.dll
export PAYOUTS_CHAOS_SANDBOX_DLL=$PWD/src/Sandbox.Host/bin/Release/net10.0/Payouts.Bus.Sandbox.Host.dll
dotnet chaos/Chaos/bin/Release/net10.0/Payouts.Bus.Chaos.dll "$@"
