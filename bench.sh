#!/usr/bin/env bash
# The benchmark: payouts through the processor on RabbitMQ + PostgreSQL, then the raw ceiling of the
# same broker and database work with no framework, and the ratio of the two. Release build.
#   ./bench.sh            5,000 payouts (a few minutes)
#   ./bench.sh --quick    400 payouts (about 30 s)
#   ./bench.sh --payouts N --in-flight N --warmup N
#   ./bench.sh --rate R   only an open loop, R payouts arriving per second
#   ./bench.sh --embedded the embedded default (SQLite, in-memory bus) over HTTP, no servers
#   ./bench.sh --search   the cost of a page of GET /payouts at 10,000 and 1,000,000 payouts
# Starts PostgreSQL and RabbitMQ like ./test.sh (Debian, as root), or uses PAYOUTS_TEST_POSTGRES /
# PAYOUTS_TEST_RABBITMQ; every run gets fresh databases and its own RabbitMQ virtual host.
# PAYOUTS_BENCH_LOG=Information shows the host's logs (default Warning).
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The embedded default needs neither server.
if [[ " $* " != *" --embedded "* ]]; then
    PAYOUTS_BENCH_POSTGRES=$(scripts/postgres.sh)
    made_vhost=${PAYOUTS_TEST_RABBITMQ:-yes}
    PAYOUTS_BENCH_RABBITMQ=$(scripts/rabbitmq.sh)
    export PAYOUTS_BENCH_POSTGRES PAYOUTS_BENCH_RABBITMQ
    # A virtual host this run made goes with it: left behind, every one slows the broker's restarts.
    if [ "$made_vhost" = yes ]; then
        trap 'rabbitmqctl -q delete_vhost "${PAYOUTS_BENCH_RABBITMQ##*/}" >/dev/null 2>&1 || true' EXIT
    fi
fi

dotnet build bench/Bench --configuration Release --nologo --verbosity quiet
dotnet bench/Bench/bin/Release/net10.0/Payouts.Bus.Bench.dll "$@"
