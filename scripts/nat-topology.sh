#!/usr/bin/env bash
# A NAT test network in five network namespaces (root only; needs `ip` and `iptables`):
#
#   PREFIX-a 192.0.2.10 ── 192.0.2.1 PREFIX-nat1 203.0.113.11 ─┐
#                                                               ├─ PREFIX-pub 203.0.113.1 (bridge)
#   PREFIX-b 198.51.100.10 ─ 198.51.100.1 PREFIX-nat2 203.0.113.12 ─┘
#
# PREFIX-pub is "the internet" (where a relay or any public peer runs); each NAT masquerades its
# private host behind its public address (iptables MASQUERADE keeps the source port when it is
# free) and answers unsolicited inbound SYNs with a reset, like a home router. Documentation
# address ranges only (RFC 5737). Private hosts route everything through their NAT; the public
# side has no route to the private ranges.
#
#   nat-topology.sh up PREFIX               build it (fails if any part exists)
#   nat-topology.sh block-direct PREFIX     NAT 2 drops every TCP packet from the public side
#                                           except the public host's: no direct path to B
#   nat-topology.sh down PREFIX             remove it, also after a partial `up`
#
# Run programs inside with `ip netns exec PREFIX-a COMMAND`.
set -euo pipefail

usage() {
  echo "usage: $0 up|block-direct|down PREFIX" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command=$1
prefix=$2
[[ $prefix =~ ^[A-Za-z0-9_.-]{1,40}$ ]] || { echo "error: PREFIX must be 1-40 of A-Z a-z 0-9 _ . -" >&2; exit 2; }

PUBLIC_HOST=203.0.113.1
namespaces=(pub nat1 nat2 a b)

in_ns() {
  local ns=$1
  shift
  ip netns exec "$prefix-$ns" "$@"
}

down() {
  local ns
  for ns in "${namespaces[@]}"; do
    ip netns delete "$prefix-$ns" 2>/dev/null || true
  done
}

# NAT number $1 between the public bridge and private host $2 on private /24 $3 (without its last octet).
nat() {
  local n=$1 host=$2 lan=$3
  local ns=nat$n
  ip link add pub netns "$prefix-$ns" type veth peer name "nat$n" netns "$prefix-pub"
  in_ns pub ip link set "nat$n" master br0 up
  in_ns "$ns" ip addr add "203.0.113.1$n/24" dev pub
  in_ns "$ns" ip link set pub up
  ip link add lan netns "$prefix-$ns" type veth peer name eth0 netns "$prefix-$host"
  in_ns "$ns" ip addr add "$lan.1/24" dev lan
  in_ns "$ns" ip link set lan up
  in_ns "$ns" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
  in_ns "$ns" iptables -t nat -A POSTROUTING -o pub -j MASQUERADE
  in_ns "$host" ip addr add "$lan.10/24" dev eth0
  in_ns "$host" ip link set eth0 up
  in_ns "$host" ip route add default via "$lan.1"
}

up() {
  local ns
  for ns in "${namespaces[@]}"; do
    ip netns add "$prefix-$ns"
    in_ns "$ns" ip link set lo up
  done
  in_ns pub ip link add br0 type bridge
  in_ns pub ip addr add "$PUBLIC_HOST/24" dev br0
  in_ns pub ip link set br0 up
  nat 1 a 192.0.2
  nat 2 b 198.51.100
}

case $command in
  up)
    if ! command -v iptables >/dev/null 2>&1; then
      echo "error: iptables is not installed (scripts/bootstrap.sh installs it)" >&2
      exit 1
    fi
    trap 'down' ERR
    up
    ;;
  block-direct)
    in_ns nat2 iptables -A FORWARD -i pub -p tcp ! -s "$PUBLIC_HOST" -j DROP
    ;;
  down)
    down
    ;;
  *)
    usage
    ;;
esac
