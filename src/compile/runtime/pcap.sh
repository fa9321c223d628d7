## pcaps of each check's path (--artifacts), kept for those that missed what they should do.
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
