#!/usr/bin/env bash
# Makes a RabbitMQ broker reachable for the tests and prints the URL of a virtual host made for
# this run. Uses PAYOUTS_TEST_RABBITMQ when given; otherwise installs Debian's rabbitmq-server
# (as root) and starts it detached on 5672. Our Debian broker has no delayed-message plugin:
# nothing in the processor asks the broker for delays.
set -euo pipefail

if [ -n "${PAYOUTS_TEST_RABBITMQ:-}" ]; then
  echo "$PAYOUTS_TEST_RABBITMQ"
  exit 0
fi

. "$(dirname "$0")/debian-package.sh"
install_debian_package rabbitmq-server rabbitmq-server PAYOUTS_TEST_RABBITMQ

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  rabbitmq-server -detached >&2
fi
# -detached returns before the node is reachable; await_startup needs a node to talk to.
for _ in $(seq 1 60); do
  rabbitmqctl -q status >/dev/null 2>&1 && break
  sleep 1
done
rabbitmqctl -q await_startup --timeout 60 >&2

vhost="payouts-test-$(date +%s)-$$"
rabbitmqctl -q add_vhost "$vhost" >&2
rabbitmqctl -q set_permissions -p "$vhost" guest ".*" ".*" ".*" >&2
echo "amqp://guest:guest@127.0.0.1:5672/$vhost"
