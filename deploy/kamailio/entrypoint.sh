#!/bin/sh
# Starts Kamailio in the foreground with two sockets on the container's address: 5060 for carriers and
# phones (told PUBLIC_ADDRESS when set: the host's address, where 5060/udp is published) and 5070 facing
# the Ringside nodes. Extra arguments go to kamailio (e.g. -A PING_INTERVAL=2).
set -eu
ip=$(hostname -i | awk '{print $1}')
outside="udp:$ip:5060"
if [ -n "${PUBLIC_ADDRESS:-}" ]; then outside="$outside advertise $PUBLIC_ADDRESS:5060"; fi
exec kamailio -DD -E -f /etc/kamailio/kamailio.cfg \
  -A "LISTEN=$outside" \
  -A "INTERNAL=udp:$ip:5070" \
  -A "DISPATCHER_LIST=\"${DISPATCHER_LIST:-/etc/kamailio/dispatcher.list}\"" \
  "$@"
