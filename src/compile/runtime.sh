set -u
set -f
## Naming rule (test/unit/runtime-names.test.ts enforces it):
##  - run-wide globals, set here once: NSM_RUN, P, T, PROBE, NSM_UNDO;
##  - a helper nsm_NAME assigns only variables named _NAME_* (its locals, and outputs such as
##    _kv_n that its callers, or the helpers run after it, read); the stage functions of the
##    kinds of check (nsm_stage_ping, ...) all answer in _stage_s;
##  - the generated code assigns only variables named nsm_*.
## So a helper running in the main shell (checks in declared order) never overwrites a value
## the generated code still needs.
# Everything this run makes carries $P (namespaces, processes via $NSM_RUN, files under $T).
NSM_RUN=${NSM_RUN:-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')}
case $NSM_RUN in '' | *[!0-9a-f]*) echo "NSM_RUN must be lowercase hex" >&2; exit 2 ;; esac
export NSM_RUN
P="nsm-$NSM_RUN"
T="${TMPDIR:-/tmp}/$P"
PROBE="$P-probe"
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
  # The drop trace's files (7: its instance, 8: the lock), so that its instance can go: the
  # undo steps run in a subshell, whose closing would not close the shell's own.
  exec 7<&- 8<&-
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

# A batch of one tool's set-up commands (ip, bridge or tc -batch) read from stdin, run in a node
# or in the script's own namespace (-). Each line ends in a comment naming the topology key it
# came from. When a line fails, the tool stops there and names it (-:N): the Bail out! names the
# key and the plain command, never the line number. Run in the background (a big topology's
# node batches, a few at a time), its exit status goes to nsm_pwait.
nsm_batch() { # id description node|- tool [option...]
  _batch_f=$T/batch-$1 _batch_d=$2 _batch_ns=$3
  shift 3
  while IFS= read -r _batch_l; do printf '%s\n' "$_batch_l"; done >"$_batch_f.in"
  if [ "$_batch_ns" = - ]; then
    "$@" -batch - <"$_batch_f.in" >/dev/null 2>"$_batch_f.err" && return 0
  else
    nsm_in "$_batch_ns" "$@" -batch - <"$_batch_f.in" >/dev/null 2>"$_batch_f.err" && return 0
  fi
  _batch_n= _batch_e= _batch_c= _batch_i=0
  while IFS= read -r _batch_l; do
    case $_batch_l in
    "Command failed -:"*) _batch_n=${_batch_l##*:} ;;
    *) _batch_e="$_batch_e${_batch_e:+ }$_batch_l" ;;
    esac
  done <"$_batch_f.err"
  while [ -n "$_batch_n" ] && IFS= read -r _batch_l; do
    _batch_i=$((_batch_i + 1))
    [ "$_batch_i" = "$_batch_n" ] && _batch_c=$_batch_l && break
  done <"$_batch_f.in"
  if [ -z "$_batch_c" ]; then
    printf 'Bail out! %s failed: %.400s\n' "$_batch_d" "$_batch_e"
    exit 1
  fi
  _batch_w=$_batch_d
  case $_batch_c in *" # "*)
    _batch_w=${_batch_c#* # }
    _batch_c=${_batch_c%% # *}
    ;;
  esac
  # The command as a person would type it: the tool, the node's namespace, its options.
  _batch_x=$1
  shift
  [ "$_batch_ns" = - ] || _batch_x="$_batch_x -n $P-$_batch_ns"
  [ $# -gt 0 ] && _batch_x="$_batch_x $*"
  printf 'Bail out! %s: %s %s failed: %.400s\n' "$_batch_w" "$_batch_x" "$_batch_c" "$_batch_e"
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

# Runs check ID's function, recording exit code, output and duration under $T/c<id>.*
nsm_measure() { # id
  _measure_t0=$(nsm_ms)
  "check_$1" </dev/null >"$T/c$1.out" 2>"$T/c$1.err"
  echo $? >"$T/c$1.rc"
  echo $(($(nsm_ms) - _measure_t0)) >"$T/c$1.ms"
}

nsm_settled_dad() { # node: no address is tentative ($T/dad lists those that are)
  ip -n "$P-$1" -6 addr show tentative -dadfailed >"$T/dad" 2>&1 && [ ! -s "$T/dad" ]
}

# A command check's stage, from its output (stdout and stderr, against a POSIX extended regular
# expression, as grep -E reads it) and its exit code.
nsm_match() { # id regex exit-wanted
  _match_rc=
  read -r _match_rc <"$T/c$1.rc"
  if [ -n "$2" ]; then
    _match_s=no-match
    if grep -E -q -e "$2" "$T/c$1.out" "$T/c$1.err" 2>/dev/null; then
      _match_s=matched
      [ -n "$3" ] && [ "$_match_rc" != "$3" ] && _match_s=wrong-exit
    fi
  elif [ -n "$3" ]; then
    _match_s=wrong-exit
    [ "$_match_rc" = "$3" ] && _match_s=exit-matched
  else
    _match_s=failed
    [ "$_match_rc" = 0 ] && _match_s=succeeded
  fi
  case $_match_rc in 124 | 137) [ "$_match_s" = matched ] || _match_s=timed-out ;; esac
  echo "$_match_s" >"$T/c$1.stage"
}

# UDP is lossy by design: like a DNS client, try three times within the timeout and stop at
# the first reply. (One datagram in ~20 went unanswered when five checks started at once.)
nsm_udp() { # seconds-per-try node socat-address
  for _udp_try in 1 2 3; do
    _udp_r=$(ip netns exec "$P-$2" socat -T "$1" -t "$1" STDIO "$3" <"$T/udp-payload")
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
  ip netns exec "$P-$2" tcpdump -n -l -c 1 -i "$3" -- "$4" >"$T/c$1.cap" 2>"$T/c$1.caperr" 7<&- &
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
nsm_offload_watch() { # id node port family (conntrack -L lists IPv4 only unless told)
  until [ -f "$T/c$1.rc" ]; do
    if ip netns exec "$P-$2" conntrack -L -f "$4" -p tcp --orig-port-dst "$3" >"$T/c$1.ct" 2>/dev/null &&
      nsm_has "$T/c$1.ct" '[OFFLOAD]'; then
      cp "$T/c$1.ct" "$T/c$1.offload"
      return
    fi
    sleep 0.1
  done
}

# Prints one TAP test point: ok when the target was reached the way the check demands; then,
# for a check that should have got through and did not, where its packets died and the pcaps;
# then the line a selftest prints, against the expectation on this kernel.
nsm_report() { # id name kind service timeout answer-timeout expect command [bytes] [offload node] [capture 1]
  _report_rc=255 _report_ms=0 _report_ans=
  read -r _report_rc 2>/dev/null <"$T/c$1.rc"
  read -r _report_ms 2>/dev/null <"$T/c$1.ms"
  case $3 in tcp | udp) read -r _report_ans 2>/dev/null <"$T/c$1.out" ;; esac
  "nsm_stage_$3" "$1" "$4" "$_report_rc" "$_report_ans"
  _report_stage=$_stage_s
  # Someone answered, but not the service the check names: DNAT went elsewhere.
  if [ "$_report_stage" = answered ] && [ -n "$4" ] && [ "$_report_ans" != "$4" ]; then
    _report_stage=wrong-service
  fi
  _report_o=no-reach
  case $_report_stage in replied | connected | answered | passed | xpass | succeeded | matched | exit-matched) _report_o=reach ;; esac
  # A transfer must be whole, an offload seen, a captured packet there: else the traffic did not
  # get through the way the check demands.
  _report_sz= _report_off= _report_cap=
  if [ -n "${9:-}" ]; then
    _report_sz=$(($(wc -c <"$T/c$1.out")))
    if [ "$_report_sz" -lt "$9" ]; then
      [ "$_report_stage" = answered ] && _report_stage=short
      _report_o=no-reach
    fi
  fi
  if [ -n "${10:-}" ]; then
    _report_off=seen
    [ -f "$T/c$1.offload" ] || { _report_off="not seen" && _report_o=no-reach; }
  fi
  if [ -n "${11:-}" ]; then
    read -r _report_cap 2>/dev/null <"$T/c$1.cap"
    [ -n "$_report_cap" ] || _report_o=no-reach
  fi
  if [ "$_report_stage" = skipped ]; then
    printf 'ok %s - %s # SKIP %s\n' "$1" "$2" "$(nsm_last_line "$T/c$1.out")"
    printf '# [SKIP] %s\n' "$2"
    return 0
  fi
  if [ "$_report_o" = reach ]; then printf 'ok %s - %s\n' "$1" "$2"; else printf 'not ok %s - %s\n' "$1" "$2"; fi
  printf '  ---\n  check: %s\n  kind: %s\n  outcome: %s\n  stage: %s\n  command: %s\n  exit: %s\n  duration_ms: %s\n  timeout: %s\n' \
    "$2" "$3" "$_report_o" "$_report_stage" "$(nsm_yq "$8")" "$_report_rc" "$_report_ms" "$5"
  [ -n "$6" ] && printf '  answer_timeout: %s\n' "$6"
  [ -n "$4" ] && printf '  service: %s\n' "$4"
  [ -n "$_report_ans" ] && printf '  answered_by: %s\n' "$(nsm_yq "$_report_ans")"
  [ -n "$_report_sz" ] && printf '  bytes: %s\n  bytes_expected: %s\n' "$_report_sz" "$9"
  [ -n "$_report_off" ] && printf '  offload: %s\n' "$_report_off"
  [ -n "${11:-}" ] && printf '  captured: %s\n' "$(nsm_yq "${_report_cap:-nothing}")"
  nsm_block stderr "$T/c$1.err"
  [ "$3" = command ] && nsm_block output "$T/c$1.out"
  # What was seen against what this kernel is expected to do.
  nsm_verdict "$_report_o" "$7" "$_report_stage"
  # Whether the check should have got through and did not: then its drops are worth a look.
  _report_missed=
  [ "$7" != no-reach ] && [ "$_report_o" = no-reach ] && _report_missed=1
  :
}

# A file's last 5 lines as a YAML block, printable ASCII only, at most 200 characters each: one process.
nsm_block() { # key file
  [ -s "$2" ] || return 0
  printf '  %s: |\n' "$1"
  awk '{ gsub(/[^\t -~]/, ""); l[NR % 5] = substr($0, 1, 200) }
    END { for (i = (NR > 5 ? NR - 4 : 1); i <= NR; i++) print "    " l[i % 5] }' "$2"
}

# Ends the TAP point nsm_report began (after the drops and pcaps had their say), then
# prints the line a selftest prints.
nsm_report_end() { # name
  [ "$_report_stage" = skipped ] && return 0
  printf '  ...\n'
  printf '# %-7s %s: %s (%s), expected %s\n' "[$_verdict_v]" "$1" "$_report_o" "$_report_stage" "$_verdict_e"
}

# The verdict of an outcome against an expectation → _verdict_v, as nsmatrix gives it. A
# script's own exit code 2 (xfail) or 3 (xpass) says what it expected.
nsm_verdict() { # outcome expectation stage
  _verdict_e=$2
  case $3 in xfail) [ "$2" != no-reach ] && set -- "$1" xfail ;; xpass) [ "$2" = reach ] && set -- "$1" xfail ;; esac
  case $2 in
  flaky) _verdict_v=' OK ' ;;
  xfail) if [ "$1" = no-reach ]; then _verdict_v=XFAIL; else _verdict_v=XPASS; fi ;;
  *) if [ "$1" = "$2" ]; then _verdict_v=' OK '; else _verdict_v=FAIL; fi ;;
  esac
  printf '  verdict: %s\n' "$_verdict_v"
}

# The last line a file holds, with builtins.
nsm_last_line() { # file
  _last_line_l=
  while IFS= read -r _last_line_x || [ -n "$_last_line_x" ]; do
    [ -n "$_last_line_x" ] && _last_line_l=$_last_line_x
  done <"$1" 2>/dev/null
  printf '%s' "$_last_line_l" | tr -cd '\t -~' | cut -c1-200
}

# A script check's TAP or KTAP, nested as a subtest of its own point; any other line it printed
# becomes a comment, so nothing it prints (a "Bail out!") can stop the run's TAP.
nsm_nest() { # id name
  [ -s "$T/c$1.out" ] || return 0
  printf '    # Subtest: %s\n' "$2"
  awk '{ gsub(/[^\t -~]/, "") }
    /^KTAP version/ { print "    TAP version 13"; next }
    /^[ \t]*(TAP version|1\.\.[0-9]|ok |not ok |#)/ { print "    " $0; next }
    /^[ \t]+(---|\.\.\.|[A-Za-z_]+:)/ { print "    " $0; next }
    { print "    # " $0 }' "$T/c$1.out"
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

# The running kernel's version as one number (6.1.0-50-amd64 → 6001000), for the expectations.
nsm_kv() {
  read -r _kv_r </proc/sys/kernel/osrelease
  _kv_r=${_kv_r%%[!0-9.]*}.0.0
  _kv_a=${_kv_r%%.*} _kv_r=${_kv_r#*.}
  _kv_b=${_kv_r%%.*} _kv_r=${_kv_r#*.}
  _kv_c=${_kv_r%%.*}
  case $_kv_b in '' | *[!0-9]*) _kv_b=0 ;; esac
  case $_kv_c in '' | *[!0-9]*) _kv_c=0 ;; esac
  [ "$_kv_b" -gt 999 ] && _kv_b=999
  [ "$_kv_c" -gt 999 ] && _kv_c=999
  _kv_n=$((${_kv_a:-0} * 1000000 + _kv_b * 1000 + _kv_c))
}
nsm_kv_in() { [ "$_kv_n" -ge "$1" ] && [ "$_kv_n" -lt "$2" ]; }

# Where packets die: skb:kfree_skb in a tracing instance of the run's own (instances/nsm-<run>),
# so no other user of tracefs sees or changes its buffer. Where the kernel prints the location
# hashed (%p, as 5.10 does), a hist trigger's .sym modifier names it. Sets _trace_init_i (the
# instance), _trace_init_d (tracefs), _trace_init_k (hist keys, when hist is used), or
# _trace_init_why.
nsm_trace_init() {
  _trace_init_i= _trace_init_k= _trace_init_why= _trace_init_d= _trace_init_y=
  for _trace_init_x in /sys/kernel/tracing /sys/kernel/debug/tracing; do
    [ -d "$_trace_init_x/instances" ] && _trace_init_d=$_trace_init_x && break
  done
  # Mounted in the script's own mount namespace, where it has one.
  # (Or by another script that mounted it first, at the same time: look again.)
  if [ -z "$_trace_init_d" ]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
    [ -d /sys/kernel/tracing/instances ] && _trace_init_d=/sys/kernel/tracing
  fi
  if [ -z "$_trace_init_d" ]; then
    _trace_init_why="no tracefs: it is not mounted and cannot be (mount -t tracefs nodev /sys/kernel/tracing)"
    return 0
  fi
  # The instance of a run that was killed (SIGKILL: no teardown) is removed by the next: the
  # kernel refuses rmdir (EBUSY) while a file of it is open, and each run holds its own open.
  for _trace_init_x in "$_trace_init_d"/instances/nsm-[0-9a-f]*; do
    [ -d "$_trace_init_x" ] && rmdir "$_trace_init_x" 2>/dev/null
  done
  _trace_init_e=$_trace_init_d/instances/$P/events/skb/kfree_skb
  if ! mkdir "$_trace_init_d/instances/$P" 2>/dev/null; then
    _trace_init_why="cannot make a tracing instance in $_trace_init_d/instances"
    return 0
  fi
  exec 7<"$_trace_init_d/instances/$P/trace"
  nsm_defer "nsm_trace_gone '$_trace_init_d/instances/$P'"
  if [ ! -e "$_trace_init_e/format" ]; then
    _trace_init_why="the kernel has no skb:kfree_skb tracepoint"
    return 0
  fi
  _trace_init_i=$_trace_init_d/instances/$P
  nsm_trace_own
  nsm_has "$_trace_init_e/format" 'location=%pS' && return 0
  # Without hist triggers (Debian's 5.10), the event's raw address is looked up in kallsyms.
  if [ ! -e "$_trace_init_e/hist" ]; then
    _trace_init_y=1
    return 0
  fi
  _trace_init_k=common_pid.execname,location.sym-offset
  nsm_has "$_trace_init_e/format" 'skb_drop_reason reason' && _trace_init_k=$_trace_init_k,reason
}
# The instance traces this script's own processes only: its shell, and all it forks from now on
# (services, checks, their children), through set_event_pid and event-fork. The kernel wants
# the shell's pid as the kernel counts it, not as its PID namespace does: a line the shell
# writes to trace_marker carries it. Sets _trace_own_p, or leaves it empty (then each check's
# window takes tracefs' lock instead, so that no other check runs meanwhile).
nsm_trace_own() {
  _trace_own_p=
  echo nsm-pid >"$_trace_init_i/trace_marker" 2>/dev/null || return 0
  nsm_grep "$_trace_init_i/trace" 'nsm-pid' >"$T/trace.pid"
  read -r _trace_own_l <"$T/trace.pid" || return 0
  _trace_own_l=${_trace_own_l%%\[*}
  _trace_own_l=${_trace_own_l%"${_trace_own_l##*[! ]}"}
  _trace_own_p=${_trace_own_l##*-}
  case $_trace_own_p in '' | *[!0-9]*)
    _trace_own_p=
    return 0
    ;;
  esac
  echo 1 >"$_trace_init_i/options/event-fork" && echo "$_trace_own_p" >"$_trace_init_i/set_event_pid" ||
    _trace_own_p=
  : >"$_trace_init_i/trace"
}
nsm_trace_gone() { # instance
  echo 0 >"$1/events/skb/kfree_skb/enable"
  # A process killed a moment ago may still hold one of its files: give it up to a second.
  _trace_gone_i=0
  until rmdir "$1" 2>/dev/null || [ "$_trace_gone_i" -ge 20 ]; do
    _trace_gone_i=$((_trace_gone_i + 1))
    sleep 0.05
  done
}

# The trace window of one check (or of all at once). Without the pid filter, tracefs' root is
# locked meanwhile, so the checks of other runs on this kernel wait.
nsm_trace_on() { # ethertype
  [ -n "$_trace_init_i" ] || return 0
  if [ -z "$_trace_own_p" ]; then
    exec 8<"$_trace_init_d"
    flock 8 2>/dev/null
  fi
  _trace_on_e=$_trace_init_i/events/skb/kfree_skb
  _trace_on_c=protocol==$1
  if [ -n "$_trace_init_k" ]; then
    _trace_on_t="hist:keys=$_trace_init_k:vals=hitcount if $_trace_on_c"
    echo "$_trace_on_t" >"$_trace_on_e/trigger"
  else
    echo "$_trace_on_c" >"$_trace_on_e/filter"
    : >"$_trace_init_i/trace"
    echo 1 >"$_trace_on_e/enable"
  fi
}
nsm_trace_off() { # id... (checks run at once share the window, and its drops)
  [ -n "$_trace_init_i" ] || return 0
  if [ -n "$_trace_init_k" ]; then
    nsm_grep "$_trace_on_e/hist" '{' >"$T/c$1.drops"
    echo "!$_trace_on_t" >"$_trace_on_e/trigger"
  else
    echo 0 >"$_trace_on_e/enable"
    nsm_grep "$_trace_init_i/trace" 'kfree_skb:' >"$T/c$1.drops"
  fi
  if [ -z "$_trace_own_p" ]; then
    flock -u 8 2>/dev/null
    exec 8<&-
  fi
  _trace_off_f=$T/c$1.drops
  shift
  for _trace_off_id in "$@"; do nsm_grep "$_trace_off_f" '' >"$T/c$_trace_off_id.drops"; done
}
# The lines of a file that hold a word, with builtins.
nsm_grep() { # file word
  while IFS= read -r _grep_l; do
    case $_grep_l in *"$2"*) printf '%s\n' "$_grep_l" ;; esac
  done <"$1"
}

# For a check that should have got through and did not: the frees its window saw.
nsm_drops() { # id
  [ -n "$_report_missed" ] || return 0
  if [ -z "$_trace_init_i" ]; then
    printf '  drops_unavailable: %s\n' "$(nsm_yq "$_trace_init_why")"
    return 0
  fi
  printf '  drops: |\n'
  # read trims the kernel's alignment: a YAML block's lines share one indentation.
  while read -r _drops_l; do printf '    %s\n' "$_drops_l"; done <"$T/c$1.drops"
  [ -n "$_trace_init_y" ] && nsm_symbols "$T/c$1.drops"
  # A hist holds the reason as a number: the format names them, as this kernel does.
  case $_trace_init_k in *reason*)
    nsm_grep "$_trace_init_i/events/skb/kfree_skb/format" 'print fmt' >"$T/c$1.fmt"
    read -r _drops_f <"$T/c$1.fmt"
    printf '  drop_format: %s\n' "$(nsm_yq "$_drops_f")"
    ;;
  esac
}

# The function each location=ADDRESS of a trace lies in, from /proc/kallsyms: the text symbol
# at the highest address not above it (addresses compare as 16-digit hex strings: mawk has no
# 64-bit numbers). One awk over kallsyms for all of a check's addresses.
nsm_symbols() { # trace-file
  _symbols_a=
  while read -r _symbols_l; do
    _symbols_x=${_symbols_l##*location=}
    _symbols_x=${_symbols_x%% *}
    case " $_symbols_a " in *" $_symbols_x "*) ;; *) _symbols_a="$_symbols_a $_symbols_x" ;; esac
  done <"$1"
  [ -n "$_symbols_a" ] || return 0
  printf '  drop_symbols: |\n'
  awk 'BEGIN { n = split(ARGV[1], w, " "); ARGV[1] = "" }
    $2 ~ /^[tT]$/ { for (i = 1; i <= n; i++) if ($1 <= w[i] && $1 > best[i]) { best[i] = $1; sym[i] = $3 " " $4 } }
    END { for (i = 1; i <= n; i++) if (i in sym) print "    " w[i] " " sym[i] }' "$_symbols_a" /proc/kallsyms
}

# A pcap of every interface of each node on the check's path (tcpdump -i any), into
# $NSM_ARTIFACTS (the current folder when unset) as <check>.<node>.pcap, the name it keeps.
# Immediate mode: a ring block is handed over at once, not when it fills or times out, so a
# capture stopped right after its check still holds the check's packets.
nsm_pcap_start() { # id check node...
  _pcap_start_id=$1 _pcap_start_c=$2
  shift 2
  : >"$T/c$_pcap_start_id.pcaps"
  for _pcap_start_n in "$@"; do
    _pcap_start_f=$_pcap_start_c.$_pcap_start_n.pcap
    ip netns exec "$P-$_pcap_start_n" tcpdump -n -U --immediate-mode -Z root -i any -w "${NSM_ARTIFACTS:-.}/$_pcap_start_f" \
      2>"$T/$_pcap_start_f.err" 7<&- &
    echo "$! $_pcap_start_f" >>"$T/c$_pcap_start_id.pcaps"
    nsm_defer "kill $! 2>/dev/null"
    nsm_poll "tcpdump listening in $_pcap_start_n" "$T/$_pcap_start_f.err" \
      nsm_has "$T/$_pcap_start_f.err" 'listening on'
  done
}
nsm_pcap_stop() { # id
  while read -r _pcap_stop_p _pcap_stop_f; do
    kill "$_pcap_stop_p" 2>/dev/null
    wait "$_pcap_stop_p" 2>/dev/null
  done <"$T/c$1.pcaps"
}
# Keeps the pcaps of a check that missed what it should do (or of every check: all), and names
# them in its evidence; removes the others.
nsm_pcap_keep() { # id failed|all
  [ "$_report_stage" = skipped ] && return 0
  _pcap_keep_k=$2
  [ -n "$_report_missed" ] || [ "$_verdict_v" = FAIL ] || [ "$_verdict_v" = XPASS ] && _pcap_keep_k=all
  _pcap_keep_l=
  while read -r _pcap_keep_p _pcap_keep_f; do
    if [ "$_pcap_keep_k" = all ]; then
      _pcap_keep_l="$_pcap_keep_l $_pcap_keep_f"
    else
      rm -f "${NSM_ARTIFACTS:-.}/$_pcap_keep_f"
    fi
  done <"$T/c$1.pcaps"
  [ -n "$_pcap_keep_l" ] && printf '  pcaps: %s\n' "${_pcap_keep_l# }"
  :
}
