// `nsmatrix list`: a scenario, its variants and its checks, as lines of text.
import { kindOf } from "../checks/index.js";
import type { ScenarioModel } from "../model/index.js";
import { visible } from "../text.js";

/** What `list` prints for one scenario: variants with their timeouts, checks with what they demand. */
export function describeScenario(sc: ScenarioModel): string[] {
  const out: string[] = [];
  out.push(`${sc.name}  (${sc.file}, topology ${sc.topologyFile})`);
  if (sc.description) out.push(`  ${visible(sc.description)}`);
  out.push("  variants:");
  for (const v of sc.variants) {
    const own = v.checks.find((c, i) => c.timeout !== sc.checks[i]?.timeout);
    const timeout = own ? `  (checks wait ${own.timeout} s)` : "";
    out.push(`    ${v.name}${timeout}${v.description ? `  ${visible(v.description)}` : ""}`);
  }
  out.push(sc.parallel ? "  checks, all at once:" : "  checks, one after the other in this order:");
  for (const c of sc.checks) {
    const demands = [
      kindOf(c).describe(c),
      c.bytes ? `${c.bytes} bytes` : "",
      c.offload ? `offloaded on ${c.offload}` : "",
      c.capture ? `captured on ${c.capture.node}:${c.capture.dev}` : "",
      c.target.kind === "script" ? "" : `${c.timeout} s`,
    ].filter(Boolean);
    const where = c.from ? `from ${c.from}` : "in the run's own namespace";
    out.push(
      `    ${c.name}  ${where}: ${demands.join(", ")}${c.description ? `  (${visible(c.description)})` : ""}`,
    );
  }
  return out;
}
