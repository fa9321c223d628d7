// Where the kernel freed a check's packets: the skb:kfree_skb tracepoint, read by the script
// during the check's window. Two shapes of trace text reach this parser:
//  - the event's own lines, where the kernel prints the location as a symbol (%pS, 6.12 and
//    6.18 here), or as a raw address that the script looks up in /proc/kallsyms (5.10), and, from
//    5.17 on, the reason by name:  "... kfree_skb: skbaddr=… protocol=2048 location=br_handle_frame_finish+0x1a3/0x5e0 [bridge] reason: NOT_SPECIFIED";
//  - a hist trigger's entries, where the kernel prints %p hashed (6.1) and only the
//    hist's `.sym` modifier symbolizes:
//    "{ common_pid: socat [ 1234], location: [ffffffffc0a1b2c3] br_handle_frame_finish+0x1a3/0x5e0 [bridge], reason: 2 } hitcount: 2".
//    A hist key holds the reason as a number; the event's `format` file of the running kernel
//    names it (__print_symbolic), so the names are that kernel's own.

/** One place the check's packets were freed, and how often. */
export interface Drop {
  /** The function that freed them, e.g. br_handle_frame_finish. */
  location: string;
  /** The drop reason by name (5.17 on), e.g. NOT_SPECIFIED; absent before. */
  reason?: string;
  count: number;
  /**
   * Only ever freed in softirq, timer or worker context, never in a process of the check: a
   * retransmission, or a late packet of another check of this kernel.
   */
  softirq?: boolean;
}

/**
 * Frees that are not drops of a check's flow. ip6_mc_input: IPv6 multicast (neighbour and
 * listener discovery of interfaces coming up) that no one joined, ~100 in a Box0 run.
 */
export const NOISE: ReadonlySet<string> = new Set(["ip6_mc_input"]);

// Tasks that only stand for softirq, timer or worker context: a free there may be anyone's.
const INTERRUPT = /^(<idle>|swapper(\/\d+)?|ksoftirqd\/\d+|kworker\/|irq\/|migration\/|rcu_|cpuhp\/)/;

interface Free extends Drop {
  /** The task the kernel ran when it freed the packet. */
  task: string;
}

/** Reason numbers → names, from a kfree_skb `format` file's print fmt. */
export function reasonNames(format: string): Map<number, string> {
  const names = new Map<number, string>();
  const sym = /__print_symbolic\(REC->reason,(.*)\)/s.exec(format)?.[1] ?? "";
  for (const m of sym.matchAll(/\{\s*(\d+),\s*"([A-Z0-9_]+)"\s*\}/g)) names.set(Number(m[1]), String(m[2]));
  return names;
}

/** Addresses → functions, from the script's kallsyms look-up ("ffffffffc00e914e br_handle_frame_finish [bridge]"). */
export function symbolNames(lines: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of lines.matchAll(/^\s*([0-9a-f]{8,16})\s+([A-Za-z_][\w.]*)/gm))
    out.set(String(m[1]), String(m[2]));
  return out;
}

// "br_handle_frame_finish+0x1a3/0x5e0 [bridge]" → "br_handle_frame_finish"; a bare address
// (hashed, or unknown to kallsyms) stays as it is.
function symbol(s: string): string {
  const m = /^([A-Za-z_][\w.]*)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?/.exec(s.trim());
  return m?.[1] ?? s.trim().split(/\s/)[0] ?? s;
}

function parseLine(line: string, reasons: Map<number, string>): Free | undefined {
  const hist =
    /\{\s*common_pid:\s*(.*?)\s*\[\s*\d+\],\s*location:\s*(?:\[[0-9a-f]+\]\s*)?([^,}]+?)\s*(?:,\s*reason:\s*(\d+)\s*)?\}\s*hitcount:\s*(\d+)/.exec(
      line,
    );
  if (hist) {
    const n = hist[3] === undefined ? undefined : Number(hist[3]);
    const reason = n === undefined ? undefined : (reasons.get(n) ?? String(n));
    const task = hist[1] ?? "";
    return { task, location: symbol(hist[2] ?? ""), ...(reason ? { reason } : {}), count: Number(hist[4]) };
  }
  const ev =
    /^\s*(.+?)-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d+\].*?kfree_skb:.*\blocation=(\S+)(?:\s+\[[\w-]+\])?(?:\s+reason:\s*([A-Z0-9_]+))?/.exec(
      line,
    );
  if (ev) {
    return {
      task: ev[1] ?? "",
      location: symbol(ev[2] ?? ""),
      ...(ev[3] ? { reason: ev[3] } : {}),
      count: 1,
    };
  }
  return undefined;
}

/**
 * The drops of a check in the trace text of its window. The script's instance records only its
 * own processes (set_event_pid, event-fork), where it could learn its pid; otherwise its window
 * is this check's alone among nsmatrix's checks on this kernel (tracefs is locked), but not
 * among everything the kernel does. So a free in a process's context is the check's own: the
 * kernel carries a packet from the sender's send across veths, bridges and netfilter in the
 * same softirq. A free in interrupt context (a timer's retransmission, ksoftirqd) at the same
 * place counts with it; one elsewhere is kept apart, marked `softirq`: it may be a late packet
 * of another check. Noise is removed; drops are merged by place and reason, the check's own
 * first, most frequent first.
 */
export function parseDrops(trace: string, format = "", symbols = ""): Drop[] {
  const reasons = reasonNames(format);
  const names = symbolNames(symbols);
  const frees = trace
    .split("\n")
    .map((l) => parseLine(l, reasons))
    .map((f) => (f && names.has(f.location) ? { ...f, location: names.get(f.location) as string } : f))
    .filter((f): f is Free => f !== undefined && !NOISE.has(f.location));
  const own = new Set(frees.filter((f) => !INTERRUPT.test(f.task)).map((f) => f.location));
  const merged = new Map<string, Drop>();
  for (const f of frees) {
    const softirq = !own.has(f.location);
    const key = `${f.location}\0${f.reason ?? ""}`;
    const seen = merged.get(key);
    if (seen) seen.count += f.count;
    else
      merged.set(key, {
        location: f.location,
        ...(f.reason ? { reason: f.reason } : {}),
        count: f.count,
        ...(softirq ? { softirq } : {}),
      });
  }
  return [...merged.values()].sort((a, b) => Number(!!a.softirq) - Number(!!b.softirq) || b.count - a.count);
}

/** "dropped at br_handle_frame_finish (NOT_SPECIFIED) ×2", "... ×4 in softirq". */
export function dropText(d: Drop): string {
  return `dropped at ${d.location}${d.reason ? ` (${d.reason})` : ""} ×${d.count}${d.softirq ? " in softirq" : ""}`;
}
