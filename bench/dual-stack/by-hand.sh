#!/bin/sh
# bench/dual-stack/scenario.yaml the way a person writes it: one ip command per step, IPv6 without
# DAD, the services, a wait for them, the eight checks in order, and the teardown. Prints one line
# per check (reach or no-reach). The benchmark's reference for nsmatrix's compiled script.
P=bench$$
N="h1 h2 r1 r2 h3 h4"
for n in $N; do
  ip netns add $P-$n
  ip netns exec $P-$n sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
trap 'for n in $N; do ip netns pids $P-$n | xargs -r kill; ip netns del $P-$n; done; rm -f /tmp/$P-*' EXIT
ip link add eth0 netns $P-h1 type veth peer name eth0 netns $P-r1
ip link add eth0 netns $P-h2 type veth peer name eth1 netns $P-r1
ip link add eth2 netns $P-r1 type veth peer name eth0 netns $P-r2
ip link add eth1 netns $P-r2 type veth peer name eth0 netns $P-h3
ip link add eth2 netns $P-r2 type veth peer name eth0 netns $P-h4
host() { # node v4 v6 gw4 gw6
  ip -n $P-$1 link set lo up
  ip -n $P-$1 link set eth0 up
  ip -n $P-$1 addr add $2 dev eth0
  ip -n $P-$1 addr add $3 dev eth0 nodad
  ip -n $P-$1 route add default via $4
  ip -n $P-$1 route add default via $5
}
host h1 10.1.1.2/24 2001:db8:1:1::2/64 10.1.1.1 2001:db8:1:1::1
host h2 10.1.2.2/24 2001:db8:1:2::2/64 10.1.2.1 2001:db8:1:2::1
ip -n $P-r1 link set lo up
for d in eth0 eth1 eth2; do ip -n $P-r1 link set $d up; done
ip -n $P-r1 addr add 10.1.1.1/24 dev eth0
ip -n $P-r1 addr add 2001:db8:1:1::1/64 dev eth0 nodad
ip -n $P-r1 addr add 10.1.2.1/24 dev eth1
ip -n $P-r1 addr add 2001:db8:1:2::1/64 dev eth1 nodad
ip -n $P-r1 addr add 10.0.0.1/30 dev eth2
ip -n $P-r1 addr add 2001:db8::1/64 dev eth2 nodad
ip -n $P-r1 route add 10.2.0.0/16 via 10.0.0.2
ip -n $P-r1 route add 2001:db8:2::/48 via 2001:db8::2
ip -n $P-r2 link set lo up
for d in eth0 eth1 eth2; do ip -n $P-r2 link set $d up; done
ip -n $P-r2 addr add 10.0.0.2/30 dev eth0
ip -n $P-r2 addr add 2001:db8::2/64 dev eth0 nodad
ip -n $P-r2 addr add 10.2.3.1/24 dev eth1
ip -n $P-r2 addr add 2001:db8:2:3::1/64 dev eth1 nodad
ip -n $P-r2 addr add 10.2.4.1/24 dev eth2
ip -n $P-r2 addr add 2001:db8:2:4::1/64 dev eth2 nodad
ip -n $P-r2 route add 10.1.0.0/16 via 10.0.0.1
ip -n $P-r2 route add 2001:db8:1::/48 via 2001:db8::1
host h3 10.2.3.2/24 2001:db8:2:3::2/64 10.2.3.1 2001:db8:2:3::1
host h4 10.2.4.2/24 2001:db8:2:4::2/64 10.2.4.1 2001:db8:2:4::1
for r in r1 r2; do ip netns exec $P-$r sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; done
for h in h3 h4; do
  echo web-$h >/tmp/$P-$h
  ip netns exec $P-$h socat TCP4-LISTEN:80,fork,reuseaddr OPEN:/tmp/$P-$h,rdonly!!OPEN:/dev/null,wronly </dev/null >/dev/null 2>&1 &
  ip netns exec $P-$h socat TCP6-LISTEN:80,fork,reuseaddr,ipv6only=1 OPEN:/tmp/$P-$h,rdonly!!OPEN:/dev/null,wronly </dev/null >/dev/null 2>&1 &
done
for h in h3 h4; do
  i=0
  until [ "$(ip netns exec $P-$h ss -Htln | wc -l)" -ge 2 ] || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.05; done
done
say() { if [ "$2" = 0 ]; then echo "$1 reach"; else echo "$1 no-reach"; fi; }
for pair in "h1 h3 10.2.3.2 2001:db8:2:3::2" "h2 h4 10.2.4.2 2001:db8:2:4::2"; do
  set -- $pair
  ip netns exec $P-$1 ping -n -c 1 -W 0.5 $3 >/dev/null 2>&1; say $1-$2-ping4 $?
  ip netns exec $P-$1 ping -6 -n -c 1 -W 0.5 $4 >/dev/null 2>&1; say $1-$2-ping6 $?
  [ "$(ip netns exec $P-$1 socat -u -T 0.5 TCP4:$3:80,connect-timeout=0.5 STDOUT 2>/dev/null)" = web-$2 ]; say $1-$2-tcp4 $?
  [ "$(ip netns exec $P-$1 socat -u -T 0.5 "TCP6:[$4]:80,connect-timeout=0.5" STDOUT 2>/dev/null)" = web-$2 ]; say $1-$2-tcp6 $?
done
