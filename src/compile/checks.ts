// Services and checks → the check functions a reader can copy, and the main part that runs them,
// prints TAP and a selftest line per check.
import {
  type CheckBudget,
  type CompileOptions,
  checkBudget,
  checkCommand,
  kindOf,
  scriptFiles,
  seconds,
} from "../checks/index.js";
import type { CheckModel, ServiceModel, TopologyT } from "../model/index.js";
import { ipv6On } from "../model/index.js";
import { own } from "../net/index.js";
import { heredoc, q } from "../shell.js";
import { expectShell, expectWords } from "./expect.js";
import { pathNodes } from "./path.js";

/**
 * Starts every service, then polls until each one listens: on IPv4, and on IPv6 too where its
 * node has IPv6 on (one listener per family, so each answers its own).
 */
export function serviceLines(services: ServiceModel[], topo: TopologyT): string[] {
  if (!services.length) return [];
  const each = services.flatMap((s) =>
    (ipv6On(own(topo.nodes, s.node)) ? [4, 6] : [4]).map((family) => ({ s, family })),
  );
  return [
    ...each.map(
      ({ s, family }) =>
        `nsm_serve ${s.node} ${s.name} ${s.proto} ${s.port} ${family}${s.sends ? ` ${s.sends}` : ""}`,
    ),
    ...each.map(({ s, family }) => `nsm_wait_listen ${s.node} ${s.proto} ${s.port} ${s.name} ${family}`),
  ];
}

// Whether the check waits for a service's answer (a process that accepts, forks and writes),
// which is what runs slowly in an emulated guest. The kernel's part (handshake, echo reply)
// is never scaled: a verdict must not depend on whether a retransmission fell inside the timeout.
const awaitsService = (c: CheckModel) =>
  c.target.kind === "udp" || (c.target.kind === "tcp" && !!c.target.service);

// One line of free text for a comment.
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").replace(/[^\t -~\u00a0-\uffff]/g, "?");

// The command as it is printed in evidence: every word validated, so only $P and $T expand.
function printable(command: string): string {
  if (/["`\\]|\$(?!P\b|T\b)/.test(command)) throw new Error(`internal: unsafe check command ${command}`);
  return `"${command}"`;
}

// Script checks that carry the same files share one folder: the id of the first of them.
function scriptFolders(checks: CheckModel[]): Map<number, number> {
  const first = new Map<string, number>();
  const out = new Map<number, number>();
  checks.forEach((c, i) => {
    if (c.target.kind !== "script") return;
    const key = JSON.stringify(c.target.files);
    if (!first.has(key)) first.set(key, i + 1);
    out.set(i + 1, first.get(key) as number);
  });
  return out;
}

/** The check functions: each check's command written out, its expectation in words beside it. */
export function checkFunctions(checks: CheckModel[], variant: string, o: CompileOptions): string[] {
  const folders = scriptFolders(checks);
  return checks.flatMap((c, i) => {
    const id = i + 1;
    const head = [
      `# ${id} ${c.name}${c.description ? `: ${oneLine(c.description)}` : ""}`,
      `#   expect: ${expectWords(c, variant)}`,
    ];
    const command = kindOf(c).run?.(c, o, id) ?? checkCommand(c, o);
    if (c.target.kind === "script") {
      // A selftest's config file: a kernel without one of its options skips it, naming the option.
      const config = c.target.config?.length
        ? [`  nsm_kconfig ${c.target.config.map((k) => q(`${k.option}=${k.value}`)).join(" ")} || exit 4`]
        : [];
      return [
        ...head,
        `check_${id}() (`,
        ...config,
        `  cd "$T/s${folders.get(id)}" && exec ${command}`,
        ")",
        "",
      ];
    }
    return [...head, `check_${id}() {`, `  ${command}`, "}", ""];
  });
}

/** Shell that writes each script check's files before the checks run, and reads the kernel's config. */
export function scriptSetup(checks: CheckModel[]): string[] {
  const folders = scriptFolders(checks);
  const config = checks.some((c) => c.target.kind === "script" && c.target.config?.length);
  return [
    ...checks.flatMap((c, i) =>
      c.target.kind === "script" && folders.get(i + 1) === i + 1
        ? scriptFiles(c.target.files, i + 1, heredoc)
        : [],
    ),
    ...(config ? ["nsm_kconfig_read"] : []),
  ];
}

interface Runs {
  checks: CheckModel[];
  variant: string;
  topology: TopologyT;
  services: ServiceModel[];
  o: CompileOptions;
}

// The TAP point, then (inside its diagnostics) where its packets died and its pcaps, then the selftest line.
function reportLines(c: CheckModel, id: number, o: CompileOptions): string[] {
  return [
    // A script's own TAP goes first, as a subtest of the point that follows.
    ...(c.target.kind === "script" ? [`nsm_nest ${id} ${q(c.name)}`] : []),
    reportLine(c, id, o),
    ...(o.diagnose && kindOf(c).ethertype(c) !== undefined ? [`nsm_drops ${id}`] : []),
    ...(o.capture && c.from ? [`nsm_pcap_keep ${id} ${o.capture}`] : []),
    `nsm_report_end ${q(c.name)}`,
  ];
}

// nsm_report's inputs, by name (runtime/report.sh): those a check has, in a fixed order.
function reportLine(c: CheckModel, id: number, o: CompileOptions): string {
  const svc = "service" in c.target ? c.target.service : undefined;
  const limit = c.target.kind === "script" ? String(c.target.timeoutS) : seconds(c.timeout);
  const inputs = [
    `kind=${c.target.kind}`,
    ...(svc ? [`service=${q(svc)}`] : []),
    `timeout=${limit}`,
    ...(awaitsService(c) ? [`answer=${seconds(c.timeout * o.timeoutScale)}`] : []),
    `expect="$nsm_e${id}"`,
    `command=${printable(checkCommand(c, o))}`,
    ...(c.bytes ? [`bytes=${c.bytes}`] : []),
    ...(c.offload ? [`offload=${c.offload}`] : []),
    ...(c.capture ? ["capture=1"] : []),
  ];
  return `nsm_report ${id} ${q(c.name)} ${inputs.join(" ")}`;
}

const captureStart = (c: CheckModel, id: number) =>
  c.capture ? [`nsm_capture_start ${id} ${c.capture.node} ${c.capture.dev} ${q(c.capture.filter)}`] : [];
const captureStop = (c: CheckModel, id: number) => (c.capture ? [`nsm_capture_stop ${id}`] : []);
const watchStart = (c: CheckModel, id: number) =>
  c.offload && c.target.kind === "tcp"
    ? [
        `nsm_offload_watch ${id} ${c.offload} ${c.target.port} ${c.target.host.includes(":") ? "ipv6" : "ipv4"} &`,
      ]
    : [];

// Where the check's packets are watched from: the drop trace (by L3 protocol) and the pcaps of its path.
function watchOn(c: CheckModel, id: number, r: Runs): string[] {
  const proto = kindOf(c).ethertype(c);
  const path = r.o.capture ? pathNodes(r.topology, c, r.services) : [];
  return [
    ...(r.o.diagnose && proto !== undefined ? [`nsm_trace_on ${proto}`] : []),
    ...(path.length ? [`nsm_pcap_start ${id} ${c.name} ${path.join(" ")}`] : []),
  ];
}
function watchOff(c: CheckModel, id: number, r: Runs): string[] {
  const traced = r.o.diagnose && kindOf(c).ethertype(c) !== undefined;
  const path = r.o.capture ? pathNodes(r.topology, c, r.services) : [];
  return [...(traced ? [`nsm_trace_off ${id}`] : []), ...(path.length ? [`nsm_pcap_stop ${id}`] : [])];
}

// A command check's stage: its output against `match`, its exit code against `exit`.
const judged = (c: CheckModel, id: number) =>
  c.target.kind === "command" ? [`nsm_match ${id} ${q(c.target.match ?? "")} ${c.target.exit ?? "''"}`] : [];

// Declared order: each check runs alone, after the one before it, and reports at once. What one
// check's frames teach the bridges, switches and neighbour tables is what the next one meets.
function sequential(r: Runs): string[] {
  return r.checks.flatMap((c, i) => {
    const id = i + 1;
    const watch = watchStart(c, id);
    return [
      ...expectShell(c, r.variant, id),
      ...captureStart(c, id),
      ...(watch.length ? [...watch, "nsm_wpid=$!"] : []),
      ...watchOn(c, id, r),
      `nsm_measure ${id} check_${id}`,
      ...judged(c, id),
      ...watchOff(c, id, r),
      ...(watch.length ? ['wait "$nsm_wpid"'] : []),
      ...captureStop(c, id),
      ...reportLines(c, id, r.o),
    ];
  });
}

// `parallel: true`: every check at once, for checks that share no state. Captures listen first;
// one drop trace covers them all, so each failed check shows the drops of the whole window.
function concurrent(r: Runs): string[] {
  const { checks } = r;
  const out = [
    "nsm_pids=",
    ...checks.flatMap((c, i) => [...expectShell(c, r.variant, i + 1), ...captureStart(c, i + 1)]),
  ];
  const watched = checks.some((c) => c.offload);
  if (watched) out.push("nsm_wpids=");
  const traced = checks.findIndex((c) => r.o.diagnose && kindOf(c).ethertype(c) !== undefined);
  const first = checks[traced];
  if (first) out.push(`nsm_trace_on ${kindOf(first).ethertype(first)}`);
  checks.forEach((c, i) => {
    const id = i + 1;
    const watch = watchStart(c, id);
    if (watch.length) out.push(...watch, 'nsm_wpids="$nsm_wpids $!"');
    out.push(`nsm_measure ${id} check_${id} &`, 'nsm_pids="$nsm_pids $!"');
  });
  // Wait for the checks and their watchers only: the services are children too.
  out.push("wait $nsm_pids");
  if (watched) out.push("wait $nsm_wpids");
  if (first) out.push(`nsm_trace_off ${checks.map((_, i) => i + 1).join(" ")}`);
  out.push(...checks.flatMap((c, i) => [...judged(c, i + 1), ...captureStop(c, i + 1)]));
  out.push(...checks.flatMap((c, i) => reportLines(c, i + 1, r.o)));
  return out;
}

/** Runs the checks in declared order (or all at once with `parallel`) and prints one TAP point each. */
export function checkLines(r: Runs & { parallel: boolean }): string[] {
  const udp = r.checks.some((c) => c.target.kind === "udp");
  return [
    ...(udp ? ["printf 'nsmatrix\\n' >\"$T/udp-payload\""] : []),
    ...(r.parallel ? concurrent(r) : sequential(r)),
  ];
}

// A capture may wait up to 1 s to start and stop; so may a pcap.
function oneBudget(c: CheckModel, o: CompileOptions): CheckBudget {
  const b = checkBudget(c);
  const extra = (c.capture ? 1 : 0) + (o.capture ? 1 : 0);
  return { fixedS: b.fixedS + extra, answerS: b.answerS };
}

/** What the checks of a variant can take: their sum in declared order, the largest of each part at once. */
export function checksBudget(checks: CheckModel[], parallel: boolean, o: CompileOptions): CheckBudget {
  const all = checks.map((c) => oneBudget(c, o));
  const fold = (k: keyof CheckBudget) =>
    parallel ? Math.max(0, ...all.map((b) => b[k])) : all.reduce((a, b) => a + b[k], 0);
  return { fixedS: fold("fixedS"), answerS: fold("answerS") };
}
