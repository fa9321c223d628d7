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
# With NSM_PROBE_CACHE (a directory the guest agent makes per boot), a verdict is probed once
# per kernel boot and reused by later scripts: each probe is a process or two, dear under TCG.
nsm_need() { # id reason probe
  nsm_c=${NSM_PROBE_CACHE:+$NSM_PROBE_CACHE/$1}
  if [ -n "$nsm_c" ] && [ -f "$nsm_c.ok" ]; then return 0; fi
  if [ -n "$nsm_c" ] && [ -f "$nsm_c.no" ]; then nsm_skip_all "$2"; fi
  if (eval "$3") >/dev/null 2>&1; then
    [ -z "$nsm_c" ] || : >"$nsm_c.ok"
  else
    [ -z "$nsm_c" ] || : >"$nsm_c.no"
    nsm_skip_all "$2"
  fi
}

# Milliseconds since boot, from /proc/uptime (no subprocess).
nsm_ms() {
  read -r nsm_u nsm_x </proc/uptime
  nsm_cs=${nsm_u#*.}
  nsm_cs=${nsm_cs#0}
  echo $((${nsm_u%.*} * 1000 + nsm_cs * 10))
}

# A timeout in seconds, scaled for slow guests; nsm_tint rounds up for tools that take whole seconds.
# Shell arithmetic in thousandths (a process per timeout costs ~50 ms in a TCG guest).
nsm_milli() { # decimal (up to 3 places) → nsm_m, in thousandths
  case $1 in
  *.*) nsm_i=${1%%.*} nsm_f=${1#*.}000 ;;
  *) nsm_i=$1 nsm_f=000 ;;
  esac
  nsm_f=${nsm_f%"${nsm_f#???}"}
  nsm_m=$((${nsm_i:-0} * 1000 + 1$nsm_f - 1000))
}
nsm_decimal() { # thousandths → seconds, without trailing zeros
  nsm_f=$(($1 % 1000 + 1000))
  nsm_f=${nsm_f#1}
  while :; do case $nsm_f in *0) nsm_f=${nsm_f%0} ;; *) break ;; esac; done
  echo "$(($1 / 1000))${nsm_f:+.$nsm_f}"
}
nsm_scaled() { # seconds → nsm_m, scaled, in thousandths
  nsm_milli "$NSM_SCALE"
  nsm_s=$nsm_m
  nsm_milli "$1"
  nsm_m=$((nsm_m * nsm_s / 1000))
}
nsm_t() { nsm_scaled "$1" && nsm_decimal "$nsm_m"; }
nsm_tint() { nsm_scaled "$1" && echo $(((nsm_m + 999) / 1000)); }

# With a byte count, the service sends that many bytes after its name, then holds the connection
# a second before closing: a fast transfer would otherwise end (FIN tears an offloaded flow down)
# before an offload watcher saw it.
nsm_serve() { # node name proto port [bytes to send after the name]
  case $3 in
  tcp) nsm_a="TCP4-LISTEN:$4,fork,reuseaddr" ;;
  udp) nsm_a="UDP4-RECVFROM:$4,fork" ;;
  esac
  nsm_say="echo $2"
  [ -n "${5:-}" ] && nsm_say="echo $2; head -c $5 /dev/zero; sleep 1"
  ip netns exec "$P-$1" socat "$nsm_a" "SYSTEM:$nsm_say" </dev/null >/dev/null 2>"$T/svc-$2.err" &
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

# Polls a condition every 50 ms (never a fixed sleep); after about 5 s, bails with what never
# came and the stderr file that may say why.
nsm_poll() { # what stderr-file command...
  nsm_what=$1 nsm_errf=$2
  shift 2
  nsm_i=0
  until "$@"; do
    nsm_i=$((nsm_i + 1))
    if [ "$nsm_i" -gt 100 ]; then
      cp "$nsm_errf" "$T/step.err" 2>/dev/null
      nsm_bail "$nsm_what"
    fi
    sleep 0.05
  done
}

nsm_wait_listen() { # node proto port name
  nsm_pid=
  read -r nsm_pid <"$T/svc-$4.pid"
  nsm_poll "service $4 listening on $1 $2/$3" "$T/svc-$4.err" nsm_listening "$nsm_pid" "$2" "$3" "$1"
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
  nsm_milli "$1"
  nsm_per=$(nsm_decimal $((nsm_m / 3)))
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

# Whether a file has a line containing a word, with builtins only.
nsm_has() { # file word
  [ -f "$1" ] || return 1
  while read -r nsm_l; do
    case $nsm_l in *"$2"*) return 0 ;; esac
  done <"$1"
  return 1
}

# tcpdump on node:dev for the first packet matching a pcap filter; returns once it listens.
nsm_capture_start() { # id node dev filter
  ip netns exec "$P-$2" tcpdump -n -l -c 1 -i "$3" "$4" >"$T/c$1.cap" 2>"$T/c$1.caperr" &
  echo $! >"$T/c$1.cappid"
  nsm_defer "kill $! 2>/dev/null"
  nsm_poll "tcpdump listening on $2:$3" "$T/c$1.caperr" nsm_has "$T/c$1.caperr" 'listening on'
}
# Gives a late packet a moment (tcpdump exits after the first), then stops the capture.
nsm_capture_stop() { # id
  read -r nsm_cp <"$T/c$1.cappid"
  nsm_i=0
  while kill -0 "$nsm_cp" 2>/dev/null && [ "$nsm_i" -lt 10 ]; do
    nsm_i=$((nsm_i + 1))
    sleep 0.05
  done
  kill "$nsm_cp" 2>/dev/null
  wait "$nsm_cp" 2>/dev/null
  :
}

# While check ID runs, polls node's conntrack table for an [OFFLOAD]ed tcp entry to port.
nsm_offload_watch() { # id node port
  until [ -f "$T/c$1.rc" ]; do
    if ip netns exec "$P-$2" conntrack -L -p tcp --orig-port-dst "$3" >"$T/c$1.ct" 2>/dev/null &&
      nsm_has "$T/c$1.ct" '[OFFLOAD]'; then
      cp "$T/c$1.ct" "$T/c$1.offload"
      return
    fi
    sleep 0.1
  done
}

# Prints one TAP test point: ok when the target was reached.
nsm_report() { # id name kind service command [bytes] [offload node] [capture 1]
  nsm_rc=255 nsm_dur=0 nsm_ans=
  read -r nsm_rc 2>/dev/null <"$T/c$1.rc"
  read -r nsm_dur 2>/dev/null <"$T/c$1.ms"
  [ "$3" != ping ] && read -r nsm_ans 2>/dev/null <"$T/c$1.out"
  nsm_o=no-reach
  if [ "$nsm_rc" = 0 ]; then
    case $3 in
    ping) nsm_o=reach ;;
    *) [ -n "$nsm_ans" ] && { [ -z "$4" ] || [ "$nsm_ans" = "$4" ]; } && nsm_o=reach ;;
    esac
  fi
  # A transfer must be whole, an offload seen, a captured packet there: else the traffic did not
  # get through the way the check demands.
  nsm_sz= nsm_off= nsm_cap=
  if [ -n "${6:-}" ]; then
    nsm_sz=$(($(wc -c <"$T/c$1.out")))
    [ "$nsm_sz" -ge "$6" ] || nsm_o=no-reach
  fi
  if [ -n "${7:-}" ]; then
    nsm_off=seen
    [ -f "$T/c$1.offload" ] || { nsm_off="not seen" && nsm_o=no-reach; }
  fi
  if [ -n "${8:-}" ]; then
    read -r nsm_cap 2>/dev/null <"$T/c$1.cap"
    [ -n "$nsm_cap" ] || nsm_o=no-reach
  fi
  if [ "$nsm_o" = reach ]; then printf 'ok %s - %s\n' "$1" "$2"; else printf 'not ok %s - %s\n' "$1" "$2"; fi
  printf '  ---\n  check: %s\n  outcome: %s\n  command: %s\n  exit: %s\n  duration_ms: %s\n' \
    "$2" "$nsm_o" "$(nsm_yq "$5")" "$nsm_rc" "$nsm_dur"
  [ -n "$nsm_ans" ] && printf '  answered_by: %s\n' "$(nsm_yq "$nsm_ans")"
  [ -n "$nsm_sz" ] && printf '  bytes: %s\n  bytes_expected: %s\n' "$nsm_sz" "$6"
  [ -n "$nsm_off" ] && printf '  offload: %s\n' "$nsm_off"
  [ -n "${8:-}" ] && printf '  captured: %s\n' "$(nsm_yq "${nsm_cap:-nothing}")"
  if [ -s "$T/c$1.err" ]; then
    printf '  stderr: |\n'
    # The last 5 lines, printable ASCII only, at most 200 characters each: one process.
    awk '{ gsub(/[^\t -~]/, ""); l[NR % 5] = substr($0, 1, 200) }
      END { for (i = (NR > 5 ? NR - 4 : 1); i <= NR; i++) print "    " l[i % 5] }' "$T/c$1.err"
  fi
  printf '  ...\n'
}

# Links need a moment: carrier and bridge port state change via linkwatch, up to a second later.
# Poll until no interface lacks carrier and no bridge port is still blocking or learning.
nsm_settled() { # node...
  for nsm_n in "$@"; do
    ip -n "$P-$nsm_n" -o -d link show >"$T/links" 2>/dev/null || return 1
    while read -r nsm_l; do
      case $nsm_l in
      *NO-CARRIER* | *"state LOWERLAYERDOWN"*) return 1 ;;
      *"bridge_slave state blocking"* | *"bridge_slave state listening"*) return 1 ;;
      *"bridge_slave state learning"*) return 1 ;;
      esac
    done <"$T/links"
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
