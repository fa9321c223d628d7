## Where packets died: skb:kfree_skb in a tracing instance of the run's own, around each check.
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
