set -u
set -f
## The runtime's core: the run's names, undo and teardown, set-up steps and batches, feature
## probes, waits, and the text helpers every other part uses. (Its top-level code runs first.)
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
  _teardown_rc=$?
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
  nsm_bisect_exit "$_teardown_rc"
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

# A file's last 5 lines as a YAML block, in the YAML every TAP consumer reads (Perl's prove
# included): printable ASCII, no blank line, none indented, at most 200 characters each, and no
# key at all for a file of blank lines. One process.
nsm_block() { # key file
  [ -s "$2" ] || return 0
  awk -v _block_k="$1" '{ gsub(/[^\t -~]/, ""); sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "") }
    $0 != "" { n++; l[n % 5] = substr($0, 1, 200) }
    END { if (n) print "  " _block_k ": |"; for (i = (n > 5 ? n - 4 : 1); i <= n; i++) print "    " l[i % 5] }' "$2"
}

# The last line a file holds, with builtins.
nsm_last_line() { # file
  _last_line_l=
  while IFS= read -r _last_line_x || [ -n "$_last_line_x" ]; do
    [ -n "$_last_line_x" ] && _last_line_l=$_last_line_x
  done <"$1" 2>/dev/null
  printf '%s' "$_last_line_l" | tr -cd '\t -~' | cut -c1-200
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

# The lines of a file that hold a word, with builtins.
nsm_grep() { # file word
  while IFS= read -r _grep_l; do
    case $_grep_l in *"$2"*) printf '%s\n' "$_grep_l" ;; esac
  done <"$1"
}
