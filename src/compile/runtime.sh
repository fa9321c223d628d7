set -u
set -f
# Naming rule (test/unit/runtime-names.test.ts enforces it):
#  - run-wide globals, set here once: NSM_RUN, P, T, PROBE, NSM_SCALE, NSM_UNDO;
#  - a helper nsm_NAME assigns only variables named _NAME_* (its locals, and outputs such as
#    _milli_m that its callers read);
#  - the generated code assigns only variables named nsm_*.
# So a helper running in the main shell (checks in declared order) never overwrites a value
# the generated code still needs.
#
# Everything this run makes carries $P (namespaces, processes via $NSM_RUN, files under $T).
NSM_RUN=${NSM_RUN:-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')}
case $NSM_RUN in '' | *[!0-9a-f]*) echo "NSM_RUN must be lowercase hex" >&2; exit 2 ;; esac
export NSM_RUN
P="nsm-$NSM_RUN"
T="${TMPDIR:-/tmp}/$P"
PROBE="$P-probe"
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
  # Only what this run made is undone: its files go with the undo that mkdir pushed.
  printf '%s\n' "$NSM_UNDO" | while IFS= read -r _teardown_c; do
    [ -n "$_teardown_c" ] && eval "$_teardown_c" >/dev/null 2>&1
  done
}

# The run's folder, made here or nowhere: a run id that is in use touches nothing of the other run.
nsm_mkdir() {
  if [ -e "$T" ]; then
    echo "Bail out! run id $NSM_RUN is in use ($T exists): nothing was touched"
    exit 1
  fi
  mkdir -m 700 "$T" || {
    echo "Bail out! cannot create $T"
    exit 1
  }
  nsm_defer 'rm -rf "$T"'
  echo $$ >"$T/owner"
}

# Refuses a run id whose namespaces exist: their removal would be pushed as this run's undo.
nsm_fresh() { # namespace...
  for _fresh_n in "$@"; do
    if [ -e "/run/netns/$_fresh_n" ]; then
      echo "Bail out! run id $NSM_RUN is in use (namespace $_fresh_n exists): nothing was touched"
      exit 1
    fi
  done
}
trap nsm_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Kills what still runs in the namespaces where the run started processes (services, checks,
# captures: each `netns pids` reads all of /proc, so not in every one of 2000), then removes every
# namespace. Two ip processes in all.
nsm_ns_gone() { # namespace-with-processes... -- every-namespace...
  _ns_gone_p=$(while [ "$1" != -- ]; do
    echo "netns pids $1"
    shift
  done | ip -force -batch - 2>/dev/null)
  [ -n "$_ns_gone_p" ] && kill -9 $_ns_gone_p
  while [ "$1" != -- ]; do shift; done
  shift
  for _ns_gone_n in "$@"; do echo "netns del $_ns_gone_n"; done | ip -force -batch - 2>/dev/null
}

nsm_bail() {
  printf 'Bail out! %s failed: %s\n' "$1" "$(tail -c 400 "$T/step.err" 2>/dev/null | tr -s '\n' ' ')"
  exit 1
}

# Runs a command in a node's network namespace. Unlike ip netns exec and ip -n, nsenter copies no
# mount namespace: with 2000 namespaces there are 2000 mounts to copy, ~10 ms a process.
nsm_in() { # node command...
  _in_n=$1
  shift
  nsenter --net="/run/netns/$P-$_in_n" "$@"
}

# A setup step: stop the run with its stderr when it fails.
nsm_step() {
  _step_d=$1
  shift
  "$@" >/dev/null 2>"$T/step.err" || nsm_bail "$_step_d"
}

# A setup step run in the background, beside others (a big topology's node batches): its own
# stderr file, and a Bail out! line when it fails; nsm_pwait then stops the run.
nsm_pstep() { # id description command...
  _pstep_id=$1 _pstep_d=$2
  shift 2
  "$@" >/dev/null 2>"$T/step-$_pstep_id.err" && return 0
  printf 'Bail out! %s failed: %s\n' "$_pstep_d" "$(tail -c 400 "$T/step-$_pstep_id.err" | tr -s '\n' ' ')"
  exit 1
}
nsm_pwait() { # pid...
  _pwait_bad=
  for _pwait_p in "$@"; do wait "$_pwait_p" || _pwait_bad=1; done
  [ -z "$_pwait_bad" ] || exit 1
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
  _need_c=${NSM_PROBE_CACHE:+$NSM_PROBE_CACHE/$1}
  if [ -n "$_need_c" ] && [ -f "$_need_c.ok" ]; then return 0; fi
  if [ -n "$_need_c" ] && [ -f "$_need_c.no" ]; then nsm_skip_all "$2"; fi
  if (eval "$3") >/dev/null 2>&1; then
    [ -z "$_need_c" ] || : >"$_need_c.ok"
  else
    [ -z "$_need_c" ] || : >"$_need_c.no"
    nsm_skip_all "$2"
  fi
}

# Milliseconds since boot, from /proc/uptime (no subprocess).
nsm_ms() {
  read -r _ms_u _ms_x </proc/uptime
  _ms_cs=${_ms_u#*.}
  _ms_cs=${_ms_cs#0}
  echo $((${_ms_u%.*} * 1000 + _ms_cs * 10))
}

# A timeout in seconds, scaled for slow guests (nsm_t). Shell arithmetic in thousandths: a
# process per timeout costs ~50 ms in a TCG guest.
nsm_milli() { # decimal (up to 3 places) → _milli_m, in thousandths
  case $1 in
  *.*) _milli_i=${1%%.*} _milli_f=${1#*.}000 ;;
  *) _milli_i=$1 _milli_f=000 ;;
  esac
  _milli_f=${_milli_f%"${_milli_f#???}"}
  _milli_m=$((${_milli_i:-0} * 1000 + 1$_milli_f - 1000))
}
nsm_decimal() { # thousandths → seconds, without trailing zeros
  _decimal_f=$(($1 % 1000 + 1000))
  _decimal_f=${_decimal_f#1}
  while :; do case $_decimal_f in *0) _decimal_f=${_decimal_f%0} ;; *) break ;; esac; done
  echo "$(($1 / 1000))${_decimal_f:+.$_decimal_f}"
}
nsm_scaled() { # seconds → _scaled_m, scaled, in thousandths
  nsm_milli "$NSM_SCALE"
  _scaled_s=$_milli_m
  nsm_milli "$1"
  _scaled_m=$((_milli_m * _scaled_s / 1000))
}
nsm_t() { nsm_scaled "$1" && nsm_decimal "$_scaled_m"; }

# What ping -W takes for a wait of $1 seconds: the same from iputils s20190515 on; before, and in
# busybox, a fraction meant no limit at all, so whole seconds, rounded up. Probed once per boot.
nsm_ping_w() { # seconds
  case $1 in *.*) ;; *)
    echo "$1"
    return
    ;;
  esac
  _ping_w_c=${NSM_PROBE_CACHE:+$NSM_PROBE_CACHE/ping-fraction}
  if [ -n "$_ping_w_c" ] && [ -f "$_ping_w_c.ok" ]; then
    echo "$1"
    return
  fi
  if [ -z "$_ping_w_c" ] || [ ! -f "$_ping_w_c.no" ]; then
    _ping_w_v=$(ping -V 2>&1)
    _ping_w_v=${_ping_w_v#*iputils}
    _ping_w_v=${_ping_w_v#"${_ping_w_v%%[0-9]*}"}
    _ping_w_v=${_ping_w_v%%[!0-9]*}
    if [ "${#_ping_w_v}" = 8 ] && [ "$_ping_w_v" -ge 20190515 ]; then
      [ -z "$_ping_w_c" ] || : >"$_ping_w_c.ok"
      echo "$1"
      return
    fi
    [ -z "$_ping_w_c" ] || : >"$_ping_w_c.no"
  fi
  nsm_milli "$1"
  echo $(((_milli_m + 999) / 1000))
}

# A service answers each connection (or datagram) with its name. Without a byte count, socat reads
# the name from a file and writes what it receives to /dev/null: a fork per connection and no exec,
# which under TCG is milliseconds instead of a second. With a byte count, it sends that many bytes
# after its name, then holds the connection a second before closing: a fast transfer would
# otherwise end (FIN tears an offloaded flow down) before an offload watcher saw it.
nsm_serve() { # node name proto port [bytes to send after the name]
  case $3 in
  tcp) _serve_a="TCP4-LISTEN:$4,fork,reuseaddr" ;;
  udp) _serve_a="UDP4-RECVFROM:$4,fork" ;;
  esac
  if [ -n "${5:-}" ]; then
    _serve_b="SYSTEM:echo $2; head -c $5 /dev/zero; sleep 1"
  else
    echo "$2" >"$T/svc-$2.name"
    _serve_b="OPEN:$T/svc-$2.name,rdonly!!OPEN:/dev/null,wronly"
  fi
  ip netns exec "$P-$1" socat "$_serve_a" "$_serve_b" </dev/null >/dev/null 2>"$T/svc-$2.err" &
  echo $! >"$T/svc-$2.pid"
  nsm_defer "kill $!"
}

# Reads the server's own /proc/PID/net with builtins: no process per poll (each costs ~80 ms
# in a TCG guest). Only once PID has entered the node's namespace, or it would see the caller's.
nsm_listening() { # pid proto port node
  [ /proc/$1/ns/net -ef "/run/netns/$P-$4" ] || return 1
  _listening_hex=:$(printf '%04X' "$3")
  case $2 in
  tcp) set -- "/proc/$1/net/tcp" 0A ;;
  udp) set -- "/proc/$1/net/udp" 07 ;;
  esac
  while read -r _ _listening_local _ _listening_state _; do
    case $_listening_local in *"$_listening_hex") [ "$_listening_state" = "$2" ] && return 0 ;; esac
  done <"$1"
  return 1
}

# Polls a condition every 50 ms (never a fixed sleep); after about 5 s, bails with what never
# came and the stderr file that may say why.
nsm_poll() { # what stderr-file command...
  _poll_what=$1 _poll_errf=$2
  shift 2
  _poll_i=0
  until "$@"; do
    _poll_i=$((_poll_i + 1))
    if [ "$_poll_i" -gt 100 ]; then
      cp "$_poll_errf" "$T/step.err" 2>/dev/null
      nsm_bail "$_poll_what"
    fi
    sleep 0.05
  done
}

nsm_wait_listen() { # node proto port name
  _wait_listen_pid=
  read -r _wait_listen_pid <"$T/svc-$4.pid"
  nsm_poll "service $4 listening on $1 $2/$3" "$T/svc-$4.err" \
    nsm_listening "$_wait_listen_pid" "$2" "$3" "$1"
}

# Runs one check command, recording exit code, output and duration under $T/c<id>.*
nsm_measure() { # id stdin-file command...
  _measure_id=$1
  _measure_in=$2
  shift 2
  _measure_t0=$(nsm_ms)
  "$@" <"$_measure_in" >"$T/c$_measure_id.out" 2>"$T/c$_measure_id.err"
  echo $? >"$T/c$_measure_id.rc"
  echo $(($(nsm_ms) - _measure_t0)) >"$T/c$_measure_id.ms"
}

# UDP is lossy by design: like a DNS client, try three times within the timeout and stop at
# the first reply. (One datagram in ~20 went unanswered when five checks started at once.)
nsm_udp() { # timeout node socat-address
  nsm_milli "$1"
  _udp_per=$(nsm_decimal $((_milli_m / 3)))
  for _udp_try in 1 2 3; do
    _udp_r=$(ip netns exec "$P-$2" socat -T "$_udp_per" -t "$_udp_per" STDIO "$3" <"$T/udp-payload")
    [ -n "$_udp_r" ] && printf '%s\n' "$_udp_r" && return 0
  done
  return 1
}

# A YAML single-quoted scalar, in shell builtins only (processes are dear in emulated guests).
nsm_yq() {
  _yq_in=$1
  _yq_q=
  while :; do
    case $_yq_in in
    *\'*)
      _yq_q="$_yq_q${_yq_in%%\'*}''"
      _yq_in=${_yq_in#*\'}
      ;;
    *)
      _yq_q="$_yq_q$_yq_in"
      break
      ;;
    esac
  done
  printf "'%s'" "$_yq_q"
}

# Whether a file has a line containing a word, with builtins only.
nsm_has() { # file word
  [ -f "$1" ] || return 1
  while read -r _has_l; do
    case $_has_l in *"$2"*) return 0 ;; esac
  done <"$1"
  return 1
}

# tcpdump on node:dev for the first packet matching a pcap filter; returns once it listens.
nsm_capture_start() { # id node dev filter
  # "--": the filter is never read as an option (-w FILE would write a file).
  ip netns exec "$P-$2" tcpdump -n -l -c 1 -i "$3" -- "$4" >"$T/c$1.cap" 2>"$T/c$1.caperr" &
  echo $! >"$T/c$1.cappid"
  nsm_defer "kill $! 2>/dev/null"
  nsm_poll "tcpdump listening on $2:$3" "$T/c$1.caperr" nsm_has "$T/c$1.caperr" 'listening on'
}
# Gives a late packet a moment (tcpdump exits after the first), then stops the capture.
nsm_capture_stop() { # id
  read -r _capture_stop_pid <"$T/c$1.cappid"
  _capture_stop_i=0
  while kill -0 "$_capture_stop_pid" 2>/dev/null && [ "$_capture_stop_i" -lt 10 ]; do
    _capture_stop_i=$((_capture_stop_i + 1))
    sleep 0.05
  done
  kill "$_capture_stop_pid" 2>/dev/null
  wait "$_capture_stop_pid" 2>/dev/null
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

# How far a check got, from its exit code, stderr and first line of output → _stage_s.
# TCP: socat names the errno of a failed connect; exit 0 means the handshake completed (124:
# timeout(1) stopped one that never did, in a script edited by hand).
nsm_stage() { # id kind service rc answer
  case $2 in
  ping)
    _stage_s=no-reply
    [ "$4" = 0 ] && _stage_s=replied
    nsm_has "$T/c$1.out" 'Unreachable' && _stage_s=unreachable
    ;;
  udp)
    _stage_s=no-reply
    [ -n "$5" ] && _stage_s=answered
    ;;
  tcp)
    if [ "$4" = 0 ]; then
      _stage_s=no-bytes
      [ -z "$3" ] && _stage_s=connected
      [ -n "$3" ] && [ -n "$5" ] && _stage_s=answered
    elif [ "$4" = 124 ] || nsm_has "$T/c$1.err" 'timed out'; then
      _stage_s=syn-timeout
    elif nsm_has "$T/c$1.err" 'refused'; then
      _stage_s=refused
    elif nsm_has "$T/c$1.err" 'unreachable' || nsm_has "$T/c$1.err" 'No route'; then
      _stage_s=unreachable
    elif nsm_has "$T/c$1.err" 'reset by peer'; then
      _stage_s=reset
    else
      _stage_s=failed
    fi
    ;;
  esac
  # Someone answered, but not the service the check names: DNAT went elsewhere.
  if [ "$_stage_s" = answered ] && [ -n "$3" ] && [ "$5" != "$3" ]; then _stage_s=wrong-service; fi
}

# Prints one TAP test point: ok when the target was reached the way the check demands.
# The timeout bounds the kernel's part (handshake, echo reply); the answer timeout, scaled for
# slow guests, bounds the service's answer.
nsm_report() { # id name kind service timeout answer-timeout command [bytes] [offload node] [capture 1]
  _report_rc=255 _report_ms=0 _report_ans=
  read -r _report_rc 2>/dev/null <"$T/c$1.rc"
  read -r _report_ms 2>/dev/null <"$T/c$1.ms"
  [ "$3" != ping ] && read -r _report_ans 2>/dev/null <"$T/c$1.out"
  nsm_stage "$1" "$3" "$4" "$_report_rc" "$_report_ans"
  _report_stage=$_stage_s
  _report_o=no-reach
  case $_report_stage in replied | connected | answered) _report_o=reach ;; esac
  # A transfer must be whole, an offload seen, a captured packet there: else the traffic did not
  # get through the way the check demands.
  _report_sz= _report_off= _report_cap=
  if [ -n "${8:-}" ]; then
    _report_sz=$(($(wc -c <"$T/c$1.out")))
    if [ "$_report_sz" -lt "$8" ]; then
      [ "$_report_stage" = answered ] && _report_stage=short
      _report_o=no-reach
    fi
  fi
  if [ -n "${9:-}" ]; then
    _report_off=seen
    [ -f "$T/c$1.offload" ] || { _report_off="not seen" && _report_o=no-reach; }
  fi
  if [ -n "${10:-}" ]; then
    read -r _report_cap 2>/dev/null <"$T/c$1.cap"
    [ -n "$_report_cap" ] || _report_o=no-reach
  fi
  if [ "$_report_o" = reach ]; then printf 'ok %s - %s\n' "$1" "$2"; else printf 'not ok %s - %s\n' "$1" "$2"; fi
  printf '  ---\n  check: %s\n  outcome: %s\n  stage: %s\n  command: %s\n  exit: %s\n  duration_ms: %s\n  timeout: %s\n' \
    "$2" "$_report_o" "$_report_stage" "$(nsm_yq "$7")" "$_report_rc" "$_report_ms" "$5"
  [ -n "$6" ] && printf '  answer_timeout: %s\n' "$6"
  [ -n "$4" ] && printf '  service: %s\n' "$4"
  [ -n "$_report_ans" ] && printf '  answered_by: %s\n' "$(nsm_yq "$_report_ans")"
  [ -n "$_report_sz" ] && printf '  bytes: %s\n  bytes_expected: %s\n' "$_report_sz" "$8"
  [ -n "$_report_off" ] && printf '  offload: %s\n' "$_report_off"
  [ -n "${10:-}" ] && printf '  captured: %s\n' "$(nsm_yq "${_report_cap:-nothing}")"
  if [ -s "$T/c$1.err" ]; then
    printf '  stderr: |\n'
    # The last 5 lines, printable ASCII only, at most 200 characters each: one process.
    awk '{ gsub(/[^\t -~]/, ""); l[NR % 5] = substr($0, 1, 200) }
      END { for (i = (NR > 5 ? NR - 4 : 1); i <= NR; i++) print "    " l[i % 5] }' "$T/c$1.err"
  fi
  printf '  ...\n'
}

# With NSM_KEEP (nsmatrix run --keep), waits after the checks, the topology still up, until that
# file is removed; then the teardown runs as usual.
nsm_hold() {
  [ -n "${NSM_KEEP:-}" ] || return 0
  echo "# holding until $NSM_KEEP is removed"
  while [ -e "$NSM_KEEP" ]; do sleep 0.2; done
}

# Links need a moment: carrier and bridge port state change via linkwatch, up to a second later.
# Poll until no interface lacks carrier and no bridge port is still blocking or learning.
nsm_settled() { # node...
  for _settled_n in "$@"; do
    ip -n "$P-$_settled_n" -o -d link show >"$T/links" 2>/dev/null || return 1
    while read -r _settled_l; do
      case $_settled_l in
      *NO-CARRIER* | *"state LOWERLAYERDOWN"*) return 1 ;;
      *"bridge_slave state blocking"* | *"bridge_slave state listening"*) return 1 ;;
      *"bridge_slave state learning"*) return 1 ;;
      esac
    done <"$T/links"
  done
  return 0
}
nsm_settle() { # node...
  _settle_i=0
  until nsm_settled "$@"; do
    _settle_i=$((_settle_i + 1))
    if [ "$_settle_i" -gt 200 ]; then
      cp "$T/links" "$T/step.err"
      nsm_bail "links coming up (carrier, bridge port forwarding)"
    fi
    sleep 0.02
  done
}
