set -u
set -f
# Everything this run makes carries $P (namespaces, processes via $NSM_RUN, files under $T).
NSM_RUN=${NSM_RUN:-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')}
case $NSM_RUN in '' | *[!0-9a-f]*) echo "NSM_RUN must be lowercase hex" >&2; exit 2 ;; esac
export NSM_RUN
P="nsm-$NSM_RUN"
T="${TMPDIR:-/tmp}/$P"
NSM_SCALE=${NSM_TIMEOUT_SCALE:-1}
NSM_UNDO=""

# defer-style cleanup: each create step pushes its undo; teardown runs them last-in, first-out.
nsm_defer() {
  NSM_UNDO="$1
$NSM_UNDO"
}
nsm_teardown() {
  # Nothing may interrupt the teardown, not even a reader that went away (SIGPIPE).
  trap '' INT TERM HUP PIPE
  trap - EXIT
  printf '%s\n' "$NSM_UNDO" | while IFS= read -r nsm_c; do
    [ -n "$nsm_c" ] && eval "$nsm_c" >/dev/null 2>&1
  done
  rm -rf "$T"
}
trap nsm_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Kill what still runs inside the namespaces, then remove them: two ip processes for all of them.
nsm_ns_gone() { # namespace...
  nsm_p=$(for nsm_n in "$@"; do echo "netns pids $nsm_n"; done | ip -force -batch - 2>/dev/null)
  [ -n "$nsm_p" ] && kill -9 $nsm_p
  for nsm_n in "$@"; do echo "netns del $nsm_n"; done | ip -force -batch - 2>/dev/null
}

nsm_bail() {
  printf 'Bail out! %s failed: %s\n' "$1" "$(tail -c 400 "$T/step.err" 2>/dev/null | tr -s '\n' ' ')"
  exit 1
}

# A setup step: stop the run with its stderr when it fails.
nsm_step() {
  nsm_d=$1
  shift
  "$@" >/dev/null 2>"$T/step.err" || nsm_bail "$nsm_d"
}

nsm_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "Bail out! $1 not found: install the Debian package $2"
  exit 1
}

# Skip all checks (exit 4) when a probe shows a missing feature.
nsm_need() {
  nsm_r=$1
  shift
  (eval "$*") >/dev/null 2>&1 || nsm_skip_all "$nsm_r"
}

# Milliseconds since boot, from /proc/uptime (no subprocess).
nsm_ms() {
  read -r nsm_u nsm_x </proc/uptime
  nsm_cs=${nsm_u#*.}
  nsm_cs=${nsm_cs#0}
  echo $((${nsm_u%.*} * 1000 + nsm_cs * 10))
}

# A timeout in seconds, scaled for slow guests; nsm_tint rounds up for tools that take whole seconds.
nsm_t() { awk -v t="$1" -v s="$NSM_SCALE" 'BEGIN { printf "%g", t * s }'; }
nsm_tint() { awk -v t="$1" -v s="$NSM_SCALE" 'BEGIN { v = t * s; i = int(v); if (i < v) i++; print i }'; }

nsm_serve() { # node name proto port
  case $3 in
  tcp) nsm_a="TCP4-LISTEN:$4,fork,reuseaddr" ;;
  udp) nsm_a="UDP4-RECVFROM:$4,fork" ;;
  esac
  ip netns exec "$P-$1" socat "$nsm_a" "SYSTEM:echo $2" </dev/null >/dev/null 2>"$T/svc-$2.err" &
  echo $! >"$T/svc-$2.pid"
  nsm_defer "kill $!"
}

# Reads the server's own /proc/PID/net with builtins: no process per poll (each costs ~80 ms
# in a TCG guest). Only once PID has entered the node's namespace, or it would see the caller's.
nsm_listening() { # pid proto port node
  [ /proc/$1/ns/net -ef "/run/netns/$P-$4" ] || return 1
  nsm_hex=:$(printf '%04X' "$3")
  case $2 in
  tcp) set -- "/proc/$1/net/tcp" 0A ;;
  udp) set -- "/proc/$1/net/udp" 07 ;;
  esac
  while read -r _ nsm_local _ nsm_state _; do
    case $nsm_local in *"$nsm_hex") [ "$nsm_state" = "$2" ] && return 0 ;; esac
  done <"$1"
  return 1
}

# Poll until a service listens (never a fixed sleep); give up after about 5 s.
nsm_wait_listen() { # node proto port name
  nsm_i=0 nsm_pid=
  read -r nsm_pid <"$T/svc-$4.pid"
  until nsm_listening "$nsm_pid" "$2" "$3" "$1"; do
    nsm_i=$((nsm_i + 1))
    if [ "$nsm_i" -gt 100 ]; then
      cp "$T/svc-$4.err" "$T/step.err" 2>/dev/null
      nsm_bail "service $4 listening on $1 $2/$3"
    fi
    sleep 0.05
  done
}

# Runs one check command, recording exit code, output and duration under $T/c<id>.*
nsm_measure() { # id stdin-file command...
  nsm_id=$1
  nsm_in=$2
  shift 2
  nsm_t0=$(nsm_ms)
  "$@" <"$nsm_in" >"$T/c$nsm_id.out" 2>"$T/c$nsm_id.err"
  echo $? >"$T/c$nsm_id.rc"
  echo $(($(nsm_ms) - nsm_t0)) >"$T/c$nsm_id.ms"
}

# UDP is lossy by design: like a DNS client, try three times within the timeout and stop at
# the first reply. (One datagram in ~20 went unanswered when five checks started at once.)
nsm_udp() { # timeout node socat-address
  nsm_per=$(awk -v t="$1" 'BEGIN { printf "%g", t / 3 }')
  for nsm_try in 1 2 3; do
    nsm_r=$(ip netns exec "$P-$2" socat -T "$nsm_per" -t "$nsm_per" STDIO "$3" <"$T/udp-payload")
    [ -n "$nsm_r" ] && printf '%s\n' "$nsm_r" && return 0
  done
  return 1
}

# A YAML single-quoted scalar, in shell builtins only (processes are dear in emulated guests).
nsm_yq() {
  nsm_in=$1
  nsm_q=
  while :; do
    case $nsm_in in
    *\'*)
      nsm_q="$nsm_q${nsm_in%%\'*}''"
      nsm_in=${nsm_in#*\'}
      ;;
    *)
      nsm_q="$nsm_q$nsm_in"
      break
      ;;
    esac
  done
  printf "'%s'" "$nsm_q"
}

# Prints one TAP test point: ok when the target was reached.
nsm_report() { # id name kind service command
  nsm_rc=255 nsm_dur=0 nsm_ans=
  read -r nsm_rc <"$T/c$1.rc" 2>/dev/null
  read -r nsm_dur <"$T/c$1.ms" 2>/dev/null
  [ "$3" != ping ] && read -r nsm_ans <"$T/c$1.out" 2>/dev/null
  nsm_o=no-reach
  if [ "$nsm_rc" = 0 ]; then
    case $3 in
    ping) nsm_o=reach ;;
    *) [ -n "$nsm_ans" ] && { [ -z "$4" ] || [ "$nsm_ans" = "$4" ]; } && nsm_o=reach ;;
    esac
  fi
  if [ "$nsm_o" = reach ]; then printf 'ok %s - %s\n' "$1" "$2"; else printf 'not ok %s - %s\n' "$1" "$2"; fi
  printf '  ---\n  check: %s\n  outcome: %s\n  command: %s\n  exit: %s\n  duration_ms: %s\n' \
    "$2" "$nsm_o" "$(nsm_yq "$5")" "$nsm_rc" "$nsm_dur"
  [ -n "$nsm_ans" ] && printf '  answered_by: %s\n' "$(nsm_yq "$nsm_ans")"
  if [ -s "$T/c$1.err" ]; then
    printf '  stderr: |\n'
    tail -c 400 "$T/c$1.err" | tr -cd '\11\12\40-\176' | sed 's/^/    /'
    echo
  fi
  printf '  ...\n'
}

# Links need a moment: carrier and bridge port state change via linkwatch, up to a second later.
# Poll until no interface lacks carrier and no bridge port is still blocking or learning.
nsm_settled() { # node...
  for nsm_n in "$@"; do
    ip -n "$P-$nsm_n" -o -d link show >"$T/links" 2>/dev/null || return 1
    grep -Eq 'NO-CARRIER|state LOWERLAYERDOWN|bridge_slave state (blocking|listening|learning)' "$T/links" && return 1
  done
  return 0
}
nsm_settle() { # node...
  nsm_i=0
  until nsm_settled "$@"; do
    nsm_i=$((nsm_i + 1))
    if [ "$nsm_i" -gt 200 ]; then
      cp "$T/links" "$T/step.err"
      nsm_bail "links coming up (carrier, bridge port forwarding)"
    fi
    sleep 0.02
  done
}
