#!/usr/bin/env bash
# Creates the two kinds of RabbitMQ user a Payouts.Bus virtual host needs, each with the least it
# may do (README, "Broker users"). Run where rabbitmqctl reaches the broker, as its administrator.
#
#   PROCESSOR_PASSWORD=… UPSTREAM_PASSWORD=… scripts/broker-users.sh VHOST PROCESSOR_USER UPSTREAM_USER
#
# The processor's user may do anything on the virtual host. An upstream user (one per upstream
# system) may publish the commands, and declare, bind and read only queues named after itself
# ("UPSTREAM_USER.…") bound to the event exchanges: it can neither publish provider news or the
# saga's own messages, nor bind a queue to the exchanges that carry them, nor send straight to the
# processor's queues. Running it again sets the passwords and permissions again.
set -euo pipefail

if [ $# -ne 3 ] || [ -z "${PROCESSOR_PASSWORD:-}" ] || [ -z "${UPSTREAM_PASSWORD:-}" ]; then
  echo "usage: PROCESSOR_PASSWORD=… UPSTREAM_PASSWORD=… $0 VHOST PROCESSOR_USER UPSTREAM_USER" >&2
  exit 2
fi
vhost=$1 processor=$2 upstream=$3
case "$upstream" in
  *[!A-Za-z0-9_-]*) echo "UPSTREAM_USER may hold letters, digits, '_' and '-' only: it names the user's queues" >&2; exit 2 ;;
esac

user() {
  if rabbitmqctl -q list_users | awk '{ print $1 }' | grep -qx -- "$1"; then
    rabbitmqctl -q change_password "$1" "$2"
  else
    rabbitmqctl -q add_user "$1" "$2"
  fi
}

user "$processor" "$PROCESSOR_PASSWORD"
rabbitmqctl -q set_permissions -p "$vhost" "$processor" '.*' '.*' '.*'

commands='payouts\.(request-payout|request-payout-batch|confirm-payout|cancel-payout|get-payout|request-payout-quote)'
own="${upstream}\..*"
user "$upstream" "$UPSTREAM_PASSWORD"
# configure: its own queues; write: the command exchanges, and its own queues (to bind them);
# read: the event exchanges (to bind to them), and its own queues.
rabbitmqctl -q set_permissions -p "$vhost" "$upstream" "^${own}$" "^(${commands}|${own})$" "^(payouts\.payout-.*|${own})$"
echo "users $processor (everything) and $upstream (commands, events, its own queues) set on $vhost"
