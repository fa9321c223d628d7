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

// The check's command as one variable: the same words run it and are printed as evidence.
// Every word is a validated address, name or number, and the script runs with `set -f`.
function commandOf(c: CheckModel, timeouts: number[]): string {
  const exec = `ip netns exec $P-${c.from}`;
  const t = `$nsm_t${timeouts.indexOf(c.timeout)}`;
  const tgt = c.target;
  if (tgt.kind === "ping") {
    const six = tgt.host.includes(":") ? " -6" : "";
    return `${exec} ping${six} -n -c 1 -W $nsm_ti${timeouts.indexOf(c.timeout)} ${tgt.host}`;
  }
  const v6 = tgt.host.includes(":");
  const addr = v6 ? `[${tgt.host}]` : tgt.host;
  if (tgt.kind === "tcp") {
    return `${exec} socat -u -T ${t} TCP${v6 ? 6 : 4}:${addr}:${tgt.port},connect-timeout=${t} STDOUT`;
  }
  return `nsm_udp ${t} ${c.from} UDP${v6 ? 6 : 4}:${addr}:${tgt.port}`;
}

/** Runs the checks (concurrently unless `parallel` is false) and prints one TAP point each. */
export function checkLines(checks: CheckModel[], parallel: boolean): string[] {
  // Scale each distinct timeout once (awk per value, not per check: processes are dear in guests).
  const timeouts = [...new Set(checks.map((c) => c.timeout))];
  const out: string[] = [
    "printf 'nsmatrix\\n' >\"$T/udp-payload\"",
    "nsm_pids=",
    ...timeouts.map((t, i) => `nsm_t${i}=$(nsm_t ${t}) nsm_ti${i}=$(nsm_tint ${t})`),
  ];
  // Captures listen before any traffic starts.
  checks.forEach((c, i) => {
    if (c.capture)
      out.push(`nsm_capture_start ${i + 1} ${c.capture.node} ${c.capture.dev} ${q(c.capture.filter)}`);
  });
  const watched = checks.some((c) => c.offload);
  if (watched) out.push("nsm_wpids=");
  checks.forEach((c, i) => {
    const id = i + 1;
    if (c.offload && c.target.kind === "tcp") {
      out.push(`nsm_offload_watch ${id} ${c.offload} ${c.target.port} &`, 'nsm_wpids="$nsm_wpids $!"');
    }
    out.push(`nsm_c${id}="${commandOf(c, timeouts)}"`);
    out.push(`nsm_measure ${id} /dev/null $nsm_c${id}${parallel ? ' &\nnsm_pids="$nsm_pids $!"' : ""}`);
  });
  // Wait for the checks and their watchers only: the services are children too.
  if (parallel) out.push("wait $nsm_pids");
  if (watched) out.push("wait $nsm_wpids");
  checks.forEach((c, i) => {
    if (c.capture) out.push(`nsm_capture_stop ${i + 1}`);
  });
  checks.forEach((c, i) => {
    const svc = c.target.kind === "ping" ? "" : (c.target.service ?? "");
    const extra = [c.bytes ?? "", c.offload ?? "", c.capture ? 1 : ""].map((x) => q(String(x)));
    while (extra.at(-1) === "''") extra.pop();
    out.push(
      `nsm_report ${i + 1} ${q(c.name)} ${c.target.kind} ${q(svc)} "$nsm_c${i + 1}"${extra.map((x) => ` ${x}`).join("")}`,
    );
  });
  return out;
}
