## Services and addresses: each service's listeners, and the wait for them and for IPv6 DAD.
# A service answers each connection (or datagram) with its name, on one address family: a node
# with IPv6 on runs one listener per family (IPv6 only: ipv6only=1, beside the IPv4 one). Without a byte count, socat reads
# the name from a file and writes what it receives to /dev/null: a fork per connection and no exec,
# which under TCG is milliseconds instead of a second. With a byte count, it sends that many bytes
# after its name, then holds the connection a second before closing: a fast transfer would
# otherwise end (FIN tears an offloaded flow down) before an offload watcher saw it.
nsm_serve() { # node name proto port family [bytes to send after the name]
  case $3$5 in
  tcp4) _serve_a="TCP4-LISTEN:$4,fork,reuseaddr" ;;
  tcp6) _serve_a="TCP6-LISTEN:$4,fork,reuseaddr,ipv6only=1" ;;
  udp4) _serve_a="UDP4-RECVFROM:$4,fork" ;;
  udp6) _serve_a="UDP6-RECVFROM:$4,fork,ipv6only=1" ;;
  esac
  if [ -n "${6:-}" ]; then
    _serve_b="SYSTEM:echo $2; head -c $6 /dev/zero; sleep 1"
  else
    echo "$2" >"$T/svc-$2.name"
    _serve_b="OPEN:$T/svc-$2.name,rdonly!!OPEN:/dev/null,wronly"
  fi
  # 7<&-: a service outlives the checks, and must not hold the drop trace's instance open.
  ip netns exec "$P-$1" socat "$_serve_a" "$_serve_b" </dev/null >/dev/null 2>"$T/svc-$2-$5.err" 7<&- &
  echo $! >"$T/svc-$2-$5.pid"
  nsm_defer "kill $!"
}

# Reads the server's own /proc/PID/net with builtins: no process per poll (each costs ~80 ms
# in a TCG guest). Only once PID has entered the node's namespace, or it would see the caller's.
nsm_listening() { # pid proto port node family
  [ /proc/$1/ns/net -ef "/run/netns/$P-$4" ] || return 1
  _listening_hex=:$(printf '%04X' "$3")
  _listening_f=
  [ "$5" = 6 ] && _listening_f=6
  case $2 in
  tcp) set -- "/proc/$1/net/tcp$_listening_f" 0A ;;
  udp) set -- "/proc/$1/net/udp$_listening_f" 07 ;;
  esac
  while read -r _ _listening_local _ _listening_state _; do
    case $_listening_local in *"$_listening_hex") [ "$_listening_state" = "$2" ] && return 0 ;; esac
  done <"$1"
  return 1
}

nsm_wait_listen() { # node proto port name family
  _wait_listen_pid=
  read -r _wait_listen_pid <"$T/svc-$4-$5.pid"
  nsm_poll "service $4 listening on $1 $2/$3 (IPv$5)" "$T/svc-$4-$5.err" \
    nsm_listening "$_wait_listen_pid" "$2" "$3" "$1" "$5"
}

# Waits until no IPv6 address of these nodes is tentative (duplicate address detection has ended,
# one way or the other; an interface without carrier never ends it), about 5 s at most; an
# address that failed it is named in a comment.
nsm_dad() { # node...
  for _dad_n in "$@"; do
    nsm_poll "duplicate address detection in $_dad_n (addresses still tentative)" "$T/dad" nsm_settled_dad "$_dad_n"
    ip -n "$P-$_dad_n" -o -6 addr show dadfailed >"$T/dad" 2>/dev/null
    while read -r _ _dad_d _ _dad_a _; do
      echo "# $_dad_n: duplicate address detection failed for $_dad_a on $_dad_d"
    done <"$T/dad"
  done
}

nsm_settled_dad() { # node: no address is tentative ($T/dad lists those that are)
  ip -n "$P-$1" -6 addr show tentative -dadfailed >"$T/dad" 2>&1 && [ ! -s "$T/dad" ]
}
