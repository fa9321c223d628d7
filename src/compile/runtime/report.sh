## A check's report: its TAP point, its verdict against the expectation, its selftest line.
## The report protocol. A check's report is these steps, in this order (the compiler writes them;
## test/unit/compile/report-order.test.ts holds the order):
##   nsm_report ID NAME key=value...   the TAP point, its fields and its verdict
##   nsm_drops ID                      where its packets died (traced checks only)
##   nsm_pcap_keep ID failed|all       its pcaps (--artifacts only)
##   nsm_report_end NAME               closes the point's YAML, prints the selftest line
## From the first step to the last, the point is held in _report_o (outcome), _report_stage,
## _report_missed (1: it should have got through and did not), _verdict_v and _verdict_e.
## Across the run: _report_ran, _report_fails and _report_skips count the points (nsm_exit reads
## them), and _report_bisect holds the outcome of the check NSM_BISECT names.
# Prints one TAP test point, kselftest's way: ok when the check did what this kernel is expected
# to do (reach, or not), with the outcome, the stage and the verdict in its fields.
# Inputs, by name: kind, expect and command always; service, timeout, answer (its scaled
# timeout), bytes (a transfer's whole size), offload (the node watched) and capture (1: a packet
# must have been captured) when given.
nsm_report() { # id name key=value...
  _report_kind= _report_svc= _report_to= _report_ato= _report_exp= _report_cmd= _report_want= _report_watch= _report_capd=
  _report_missed=
  _report_id=$1 _report_name=$2
  shift 2
  for _report_a in "$@"; do
    case $_report_a in
    kind=*) _report_kind=${_report_a#kind=} ;;
    service=*) _report_svc=${_report_a#service=} ;;
    timeout=*) _report_to=${_report_a#timeout=} ;;
    answer=*) _report_ato=${_report_a#answer=} ;;
    expect=*) _report_exp=${_report_a#expect=} ;;
    command=*) _report_cmd=${_report_a#command=} ;;
    bytes=*) _report_want=${_report_a#bytes=} ;;
    offload=*) _report_watch=${_report_a#offload=} ;;
    capture=*) _report_capd=${_report_a#capture=} ;;
    esac
  done
  set -- "$_report_id" "$_report_name"
  _report_rc=255 _report_ms=0 _report_ans=
  read -r _report_rc 2>/dev/null <"$T/c$1.rc"
  read -r _report_ms 2>/dev/null <"$T/c$1.ms"
  case $_report_kind in tcp | udp) read -r _report_ans 2>/dev/null <"$T/c$1.out" ;; esac
  "nsm_stage_$_report_kind" "$1" "$_report_svc" "$_report_rc" "$_report_ans"
  _report_stage=$_stage_s
  # Someone answered, but not the service the check names: DNAT went elsewhere.
  if [ "$_report_stage" = answered ] && [ -n "$_report_svc" ] && [ "$_report_ans" != "$_report_svc" ]; then
    _report_stage=wrong-service
  fi
  _report_o=no-reach
  case $_report_stage in replied | connected | answered | passed | xpass | succeeded | matched | exit-matched) _report_o=reach ;; esac
  # A transfer must be whole, an offload seen, a captured packet there: else the traffic did not
  # get through the way the check demands.
  _report_sz= _report_off= _report_cap=
  if [ -n "$_report_want" ]; then
    _report_sz=$(($(wc -c <"$T/c$1.out")))
    if [ "$_report_sz" -lt "$_report_want" ]; then
      [ "$_report_stage" = answered ] && _report_stage=short
      _report_o=no-reach
    fi
  fi
  if [ -n "$_report_watch" ]; then
    _report_off=seen
    [ -f "$T/c$1.offload" ] || { _report_off="not seen" && _report_o=no-reach; }
  fi
  if [ -n "$_report_capd" ]; then
    read -r _report_cap 2>/dev/null <"$T/c$1.cap"
    [ -n "$_report_cap" ] || _report_o=no-reach
  fi
  if [ "$_report_stage" = skipped ]; then
    _report_why=$(nsm_last_line "$T/c$1.out")
    printf 'ok %s - %s # SKIP %s\n' "$1" "$2" "$_report_why"
    printf '# [SKIP] %s: %s\n' "$2" "$_report_why"
    _report_skips=$((${_report_skips:-0} + 1))
    return 0
  fi
  # What was seen against what this kernel is expected to do decides the point, as in kselftest:
  # ok is "as expected" (an expected failure is ok, with its XFAIL directive).
  nsm_verdict "$_report_o" "$_report_exp" "$_report_stage"
  _report_ran=$((${_report_ran:-0} + 1))
  case $_verdict_v in
  XFAIL) printf 'ok %s - %s # XFAIL %s (%s)\n' "$1" "$2" "$_report_o" "$_report_stage" ;;
  FAIL | XPASS)
    printf 'not ok %s - %s\n' "$1" "$2"
    _report_fails=$((${_report_fails:-0} + 1))
    ;;
  *) printf 'ok %s - %s\n' "$1" "$2" ;;
  esac
  [ "$2" = "${NSM_BISECT:-}" ] && _report_bisect=$_report_o
  printf '  ---\n  check: %s\n  kind: %s\n  outcome: %s\n  stage: %s\n  expected: %s\n  verdict: %s\n  command: %s\n  exit: %s\n  duration_ms: %s\n  timeout: %s\n' \
    "$2" "$_report_kind" "$_report_o" "$_report_stage" "$_verdict_e" "${_verdict_v# }" "$(nsm_yq "$_report_cmd")" "$_report_rc" "$_report_ms" "$_report_to"
  [ -n "$_report_ato" ] && printf '  answer_timeout: %s\n' "$_report_ato"
  [ -n "$_report_svc" ] && printf '  service: %s\n' "$_report_svc"
  [ -n "$_report_ans" ] && printf '  answered_by: %s\n' "$(nsm_yq "$_report_ans")"
  [ -n "$_report_sz" ] && printf '  bytes: %s\n  bytes_expected: %s\n' "$_report_sz" "$_report_want"
  [ -n "$_report_off" ] && printf '  offload: %s\n' "$_report_off"
  [ -n "$_report_capd" ] && printf '  captured: %s\n' "$(nsm_yq "${_report_cap:-nothing}")"
  nsm_block stderr "$T/c$1.err"
  [ "$_report_kind" = command ] && nsm_block output "$T/c$1.out"
  # Whether the check should have got through and did not: then its drops are worth a look.
  _report_missed=
  [ "$_report_exp" != no-reach ] && [ "$_report_o" = no-reach ] && _report_missed=1
  :
}

# Ends the TAP point nsm_report began (after the drops and pcaps had their say), then
# prints the line a selftest prints.
nsm_report_end() { # name
  [ "$_report_stage" = skipped ] && return 0
  printf '  ...\n'
  printf '# %-7s %s: %s (%s), expected %s\n' "[$_verdict_v]" "$1" "$_report_o" "$_report_stage" "$_verdict_e"
}

# The verdict of an outcome against an expectation → _verdict_v ( OK , FAIL, XFAIL, XPASS), as
# nsmatrix gives it. A
# script's own exit code 2 (xfail) or 3 (xpass) says what it expected.
nsm_verdict() { # outcome expectation stage
  _verdict_e=$2
  case $3 in xfail) [ "$2" != no-reach ] && set -- "$1" xfail ;; xpass) [ "$2" = reach ] && set -- "$1" xfail ;; esac
  case $2 in
  flaky) _verdict_v=' OK ' ;;
  xfail) if [ "$1" = no-reach ]; then _verdict_v=XFAIL; else _verdict_v=XPASS; fi ;;
  *) if [ "$1" = "$2" ]; then _verdict_v=' OK '; else _verdict_v=FAIL; fi ;;
  esac
}

# A script check's results, nested as a subtest of its own point: its TAP or KTAP points, or else
# the net selftests' "TEST: name [ OK ]" lines ([FAIL], [SKIP], [XFAIL], [XPASS]) as TAP points.
# Any other line becomes a comment, so nothing it prints (a "Bail out!") can stop the run's TAP.
nsm_nest() { # id name
  [ -s "$T/c$1.out" ] || return 0
  printf '    # Subtest: %s\n' "$2"
  awk 'FNR == NR { if (/^[ \t]*(not )?ok [0-9]/) tap = 1; next }
    { gsub(/[^\t -~]/, "") }
    !tap && /^[ \t]*TEST: .*\[ *(OK|FAIL|SKIP|XFAIL|XPASS) *\][ \t]*$/ {
      r = $0; sub(/^.*\[ */, "", r); sub(/ *\][ \t]*$/, "", r)
      n = $0; sub(/^[ \t]*TEST: */, "", n); sub(/[ \t]*\[[^[]*$/, "", n); gsub(/#/, "\\#", n)
      t++
      if (r == "OK") print "    ok " t " - " n
      else if (r == "SKIP") print "    ok " t " - " n " # SKIP"
      else if (r == "XFAIL") print "    ok " t " - " n " # XFAIL"
      else print "    not ok " t " - " n (r == "XPASS" ? " # XPASS" : "")
      next
    }
    /^KTAP version/ { print "    TAP version 13"; next }
    tap && /^[ \t]*(TAP version|1\.\.[0-9]|ok |not ok |#)/ { print "    " $0; next }
    tap && /^[ \t]+(---|\.\.\.|[A-Za-z_]+:)/ { print "    " $0; next }
    { print "    # " $0 }
    END { if (!tap && t) print "    1.." t }' "$T/c$1.out" "$T/c$1.out"
}

# The run's exit status, kselftest's: 0 every check met its expectation, 1 one did not, 4 every
# check was skipped. (Set-up failures exit 1 where they happen; nsm_teardown maps both for
# NSM_BISECT.)
nsm_exit() {
  [ "${_report_fails:-0}" -gt 0 ] && exit 1
  [ "${_report_ran:-0}" = 0 ] && [ "${_report_skips:-0}" -gt 0 ] && exit 4
  exit 0
}

# With NSM_BISECT=CHECK, the exit status git bisect run reads, from that check's outcome: 0 it
# reached (good), 1 it did not (bad), 125 no outcome (set-up failed, skipped). NSM_BISECT_BAD=reach
# swaps good and bad, for a bug that lets traffic through. Called by nsm_teardown, last.
nsm_bisect_exit() { # exit-status-so-far
  [ -n "${NSM_BISECT:-}" ] || return 0
  # A signal stops git bisect run too (an exit status above 127 aborts it).
  [ "$1" -ge 128 ] && exit "$1"
  case ${_report_bisect:-} in
  reach) [ "${NSM_BISECT_BAD:-no-reach}" = reach ] && exit 1 || exit 0 ;;
  no-reach) [ "${NSM_BISECT_BAD:-no-reach}" = reach ] && exit 0 || exit 1 ;;
  *) exit 125 ;;
  esac
}

# Refuses, before anything is made, an NSM_BISECT that names no check (git bisect run stops at
# an exit status above 127: a typo must not mark every commit bad).
nsm_bisect_check() { # check-name...
  [ -n "${NSM_BISECT:-}" ] || return 0
  case ${NSM_BISECT_BAD:-no-reach} in reach | no-reach) ;; *)
    echo "Bail out! NSM_BISECT_BAD is reach or no-reach, not $NSM_BISECT_BAD"
    exit 128
    ;;
  esac
  for _bisect_check_n in "$@"; do [ "$_bisect_check_n" = "$NSM_BISECT" ] && return 0; done
  echo "Bail out! NSM_BISECT names no check of this variant: $NSM_BISECT (its checks: $*)"
  exit 128
}
