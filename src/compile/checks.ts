// Services and checks → the part of the script that generates traffic and prints TAP.
import type { CheckModel, ServiceModel } from "../model/index.js";
import { q } from "./shell.js";

/** Starts every service, then polls until each one listens. */
export function serviceLines(services: ServiceModel[]): string[] {
  if (!services.length) return [];
  return [
    ...services.map(
      (s) => `nsm_serve ${s.node} ${s.name} ${s.proto} ${s.port}${s.sends ? ` ${s.sends}` : ""}`,
    ),
    ...services.map((s) => `nsm_wait_listen ${s.node} ${s.proto} ${s.port} ${s.name}`),
  ];
}

/** Seconds as a plain decimal (never exponent form), to the millisecond. */
export function seconds(t: number): string {
  return String(Math.round(t * 1000) / 1000);
}

// Whether the check waits for a service's answer (a process that accepts, forks and writes),
// which is what runs slowly in an emulated guest. The kernel's own part (handshake, echo reply)
// is never scaled: a verdict must not depend on whether a retransmission fell inside the timeout.
const awaitsService = (c: CheckModel) =>
  c.target.kind === "udp" || (c.target.kind === "tcp" && !!c.target.service);

// The check's command as one variable: the same words run it and are printed as evidence.
// Every word is a validated address, name or number, and the script runs with `set -f`.
// A TCP check without a service only completes the handshake: socat sends nothing and closes.
// With connect-timeout, socat 1.7.4.1 (Debian 11) exits 0 on a refused connection unless it
// reads the socket: so it reads it, for -t 0.1 s after /dev/null's end, and sees the refusal.
function commandOf(c: CheckModel, answer: string, pingWait: string): string {
  const exec = `ip netns exec $P-${c.from}`;
  const tgt = c.target;
  if (tgt.kind === "ping") {
    const six = tgt.host.includes(":") ? " -6" : "";
    return `${exec} ping${six} -n -c 1 -W ${pingWait} ${tgt.host}`;
  }
  const v6 = tgt.host.includes(":");
  const addr = v6 ? `[${tgt.host}]` : tgt.host;
  if (tgt.kind === "tcp") {
    const to = `TCP${v6 ? 6 : 4}:${addr}:${tgt.port}`;
    const limit = seconds(c.timeout);
    return tgt.service
      ? `${exec} socat -u -T ${answer} ${to},connect-timeout=${limit} STDOUT`
      : `${exec} socat -t 0.1 /dev/null ${to},connect-timeout=${limit}`;
  }
  return `nsm_udp ${answer} ${c.from} UDP${v6 ? 6 : 4}:${addr}:${tgt.port}`;
}

function reportLine(c: CheckModel, id: number, answer: string, pingWait: string): string {
  const svc = c.target.kind === "ping" ? "" : (c.target.service ?? "");
  const extra = [c.bytes ?? "", c.offload ?? "", c.capture ? 1 : ""].map((x) => q(String(x)));
  while (extra.at(-1) === "''") extra.pop();
  const limit = c.target.kind === "ping" ? pingWait : seconds(c.timeout);
  const times = `${limit} ${awaitsService(c) ? answer : "''"}`;
  return `nsm_report ${id} ${q(c.name)} ${c.target.kind} ${q(svc)} ${times} "$nsm_c${id}"${extra.map((x) => ` ${x}`).join("")}`;
}

const captureStart = (c: CheckModel, id: number) =>
  c.capture ? [`nsm_capture_start ${id} ${c.capture.node} ${c.capture.dev} ${q(c.capture.filter)}`] : [];
const captureStop = (c: CheckModel, id: number) => (c.capture ? [`nsm_capture_stop ${id}`] : []);
const watchStart = (c: CheckModel, id: number) =>
  c.offload && c.target.kind === "tcp" ? [`nsm_offload_watch ${id} ${c.offload} ${c.target.port} &`] : [];

// Declared order: each check runs alone, after the one before it, and reports at once. What one
// check's frames teach the bridges, switches and neighbour tables is what the next one meets.
/** The shell words a check's command uses for its waits. */
interface Waits {
  answer: (c: CheckModel) => string;
  ping: (c: CheckModel) => string;
}

function sequential(checks: CheckModel[], w: Waits): string[] {
  return checks.flatMap((c, i) => {
    const id = i + 1;
    const watch = watchStart(c, id);
    return [
      `# ${id}: ${c.name}`,
      ...captureStart(c, id),
      ...(watch.length ? [...watch, "nsm_wpid=$!"] : []),
      `nsm_c${id}="${commandOf(c, w.answer(c), w.ping(c))}"`,
      `nsm_measure ${id} /dev/null $nsm_c${id}`,
      ...(watch.length ? ['wait "$nsm_wpid"'] : []),
      ...captureStop(c, id),
      reportLine(c, id, w.answer(c), w.ping(c)),
    ];
  });
}

// `parallel: true`: every check at once, for checks that share no state. Captures listen first.
function concurrent(checks: CheckModel[], w: Waits): string[] {
  const out = ["nsm_pids=", ...checks.flatMap((c, i) => captureStart(c, i + 1))];
  const watched = checks.some((c) => c.offload);
  if (watched) out.push("nsm_wpids=");
  checks.forEach((c, i) => {
    const id = i + 1;
    const watch = watchStart(c, id);
    if (watch.length) out.push(...watch, 'nsm_wpids="$nsm_wpids $!"');
    out.push(`nsm_c${id}="${commandOf(c, w.answer(c), w.ping(c))}"`);
    out.push(`nsm_measure ${id} /dev/null $nsm_c${id} &`, 'nsm_pids="$nsm_pids $!"');
  });
  // Wait for the checks and their watchers only: the services are children too.
  out.push("wait $nsm_pids");
  if (watched) out.push("wait $nsm_wpids");
  out.push(...checks.flatMap((c, i) => captureStop(c, i + 1)));
  out.push(...checks.map((c, i) => reportLine(c, i + 1, w.answer(c), w.ping(c))));
  return out;
}

/** Runs the checks in declared order (or all at once with `parallel`) and prints one TAP point each. */
export function checkLines(checks: CheckModel[], parallel: boolean): string[] {
  // Each distinct answer wait is scaled once, with shell arithmetic (processes are dear in guests).
  const waits = [...new Set(checks.filter(awaitsService).map((c) => c.timeout))];
  const pings = [...new Set(checks.filter((c) => c.target.kind === "ping").map((c) => c.timeout))];
  const w: Waits = {
    answer: (c) => `$nsm_answer${waits.indexOf(c.timeout)}`,
    ping: (c) => `$nsm_ping${pings.indexOf(c.timeout)}`,
  };
  return [
    "printf 'nsmatrix\\n' >\"$T/udp-payload\"",
    ...waits.map((t, i) => `nsm_answer${i}=$(nsm_t ${seconds(t)})`),
    ...pings.map((t, i) => `nsm_ping${i}=$(nsm_ping_w ${seconds(t)})`),
    ...(parallel ? concurrent(checks, w) : sequential(checks, w)),
  ];
}

/** The longest checks can take, in seconds: `fixedS` plus `answerS` times the timeout scale. */
export interface CheckBudget {
  fixedS: number;
  answerS: number;
}

// A TCP check with a service waits to connect, then for each gap in the answer; a transfer's
// service holds the connection 1 s after its bytes; a capture may wait up to 1 s to start and stop.
function checkBudget(c: CheckModel): CheckBudget {
  const t = c.timeout;
  const capture = c.capture ? 1 : 0;
  switch (c.target.kind) {
    case "ping":
      return { fixedS: Math.ceil(t) + capture, answerS: 0 };
    case "udp":
      return { fixedS: capture, answerS: t };
    case "tcp":
      return {
        fixedS: t + capture + (c.bytes ? 1 : 0),
        answerS: (c.target.service ? t : 0) + (c.bytes ? t : 0),
      };
  }
}

/** What the checks of a variant can take: their sum in declared order, the largest of each part at once. */
export function checksBudget(checks: CheckModel[], parallel: boolean): CheckBudget {
  const all = checks.map(checkBudget);
  const fold = (k: keyof CheckBudget) =>
    parallel ? Math.max(0, ...all.map((b) => b[k])) : all.reduce((a, b) => a + b[k], 0);
  return { fixedS: fold("fixedS"), answerS: fold("answerS") };
}
