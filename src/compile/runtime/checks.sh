## Running a check: its measure, a command check's judgement, UDP's tries, a capture, an offload watch.
# Runs check ID's function, recording exit code, output and duration under $T/c<id>.*
nsm_measure() { # id
  _measure_t0=$(nsm_ms)
  "check_$1" </dev/null >"$T/c$1.out" 2>"$T/c$1.err"
  echo $? >"$T/c$1.rc"
  echo $(($(nsm_ms) - _measure_t0)) >"$T/c$1.ms"
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
# the first reply, or at the first refusal (an ICMP port unreachable is an answer too). (One
# datagram in ~20 went unanswered when five checks started at once.) socat's stderr is the
# check's own, $T/c<id>.err (nsm_measure).
nsm_udp() { # id socat-command...
  _udp_id=$1
  shift
  for _udp_try in 1 2 3; do
    _udp_r=$(echo nsmatrix | "$@")
    [ -n "$_udp_r" ] && printf '%s\n' "$_udp_r" && return 0
    nsm_has "$T/c$_udp_id.err" refused && return 1
  done
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

# The running kernel's config, once, for selftests' config files: /proc/config.gz
# (CONFIG_IKCONFIG_PROC), else /boot/config-<release> (Debian's kernels; nsmatrix puts a guest
# kernel's there). None readable: $T/kconfig stays empty and nothing is checked.
nsm_kconfig_read() {
  read -r _kconfig_read_r </proc/sys/kernel/osrelease
  if [ -r /proc/config.gz ] && gzip -dc /proc/config.gz >"$T/kconfig" 2>/dev/null; then
    return 0
  fi
  if [ -r "/boot/config-$_kconfig_read_r" ] && cat "/boot/config-$_kconfig_read_r" >"$T/kconfig"; then
    return 0
  fi
  : >"$T/kconfig"
  echo "# the kernel's config is not readable (no /proc/config.gz, no /boot/config-$_kconfig_read_r): selftests' config files are not checked"
}

# Whether the kernel has what a selftest's config file asks for: y or m is met by either (built
# in or a module), any other value by itself. Prints the options it lacks, and fails, when any.
nsm_kconfig() { # CONFIG_X=value...
  [ -s "$T/kconfig" ] || return 0
  _kconfig_m=$(printf '%s\n' "$@" | awk 'FNR == NR { want[++n] = $0; next }
    /^CONFIG_/ { eq = index($0, "="); have[substr($0, 1, eq - 1)] = substr($0, eq + 1) }
    END {
      for (i = 1; i <= n; i++) {
        eq = index(want[i], "="); o = substr(want[i], 1, eq - 1); v = substr(want[i], eq + 1); h = have[o]
        met = (v == "y" || v == "m") ? (h == "y" || h == "m") : (h == v)
        if (!met) miss = miss (miss ? ", " : "") o (h == "" ? "" : "=" h) " (wants " v ")"
      }
      print miss
    }' - "$T/kconfig")
  [ -z "$_kconfig_m" ] && return 0
  echo "kernel lacks $_kconfig_m, which the config beside the script asks for"
  return 1
}
