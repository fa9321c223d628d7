#!/bin/bash
# The Box0 topology set up and torn down the way a person writes it: one ip command per step.
# The benchmark's reference point for nsmatrix's compiled script.
set -e
P=bench$$
for n in host1 host2 host3 switch box0; do ip netns add $P-$n; done
ip link add eth0 netns $P-host1 type veth peer name swp1 netns $P-switch
ip link add eth0 netns $P-host2 type veth peer name swp2 netns $P-switch
ip link add eth1 netns $P-box0 type veth peer name swp0 netns $P-switch
ip link add eth0 netns $P-host3 type veth peer name eth0 netns $P-box0
for n in host1 host2 host3 switch box0; do ip -n $P-$n link set lo up; done
ip -n $P-host1 link set eth0 up
ip -n $P-host1 addr add 1.1.1.7/24 dev eth0
ip -n $P-host1 route add default via 1.1.1.1
ip -n $P-host2 link set eth0 up
ip -n $P-host2 addr add 192.168.44.129/24 dev eth0
ip -n $P-host2 route add default via 192.168.44.1
ip -n $P-host3 link set eth0 up
ip -n $P-host3 addr add 192.168.44.130/24 dev eth0
ip -n $P-host3 route add default via 192.168.44.1
ip -n $P-switch link add sw0 type bridge
for p in swp0 swp1 swp2; do ip -n $P-switch link set $p master sw0; ip -n $P-switch link set $p up; done
ip -n $P-switch link set sw0 up
ip -n $P-box0 link add br0 type bridge nf_call_iptables 1
ip -n $P-box0 link set eth0 master br0
ip -n $P-box0 link set eth1 master br0
ip -n $P-box0 link set br0 address 02:00:00:00:b0:01
ip -n $P-box0 link set eth0 up
ip -n $P-box0 link set eth1 up
ip -n $P-box0 link set br0 up
ip -n $P-box0 addr add 1.1.1.1/24 dev br0
ip -n $P-box0 addr add 192.168.44.1/24 dev br0
ip netns exec $P-box0 sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
ip netns exec $P-box0 iptables -t nat -A PREROUTING -d 1.1.1.1/32 -p tcp --dport 8080 -j DNAT --to-destination 192.168.44.129:80
ip netns exec $P-box0 iptables -t nat -A PREROUTING -d 1.1.1.1/32 -p tcp --dport 8081 -j DNAT --to-destination 192.168.44.130:80
for n in host1 host2 host3 switch box0; do ip netns del $P-$n; done
