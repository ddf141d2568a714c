#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the tests and prints its connection string.
# Uses PAYOUTS_TEST_POSTGRES when given; otherwise installs Debian's postgresql (as root),
# starts the local cluster, and sets a password for the postgres role on loopback.
set -euo pipefail

if [ -n "${PAYOUTS_TEST_POSTGRES:-}" ]; then
  echo "$PAYOUTS_TEST_POSTGRES"
  exit 0
fi

password=payouts-test
connection="Host=127.0.0.1;Port=5432;Username=postgres;Password=$password"

. "$(dirname "$0")/debian-package.sh"
install_debian_package postgresql pg_ctlcluster PAYOUTS_TEST_POSTGRES

cluster=$(pg_lsclusters --no-header | awk 'NR==1 { print $1 " " $2 }')
if [ -z "$cluster" ]; then
  echo "No PostgreSQL cluster exists; create one with pg_createcluster" >&2
  exit 1
fi
# shellcheck disable=SC2086
pg_ctlcluster $cluster start >/dev/null 2>&1 || true

for _ in $(seq 1 30); do
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then
    su postgres -c "psql -qc \"alter role postgres password '$password'\"" >/dev/null
    echo "$connection"
    exit 0
  fi
  sleep 1
done
echo "PostgreSQL did not start; see /var/log/postgresql/" >&2
exit 1
