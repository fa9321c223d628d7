// `npm run bench`: set-up + teardown against a hand-written script, and a full Box0 run. Prints figures and ratios.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "zx";
import { compileVariant } from "../src/compile/index.js";
import { loadScenario } from "../src/model/index.js";

$.verbose = false;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
async function time(fn: () => Promise<unknown>, rounds: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

if (process.getuid?.() !== 0) {
  console.error("bench needs root: it creates network namespaces");
  process.exit(2);
}

// The Box0 topology with no services and no checks: only probes, set-up, settle and teardown.
const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");
const setupOnly = compileVariant({ ...box0, services: [], checks: [] }, "baseline");
const script = join(tmpdir(), "nsm-bench-setup.sh");
writeFileSync(script, setupOnly.text);

const byHand = await time(() => $`bash bench/box0-by-hand.sh`.quiet(), ROUNDS);
const ours = await time(() => $`sh ${script}`.quiet(), ROUNDS);
console.log(`Box0 set-up + teardown, median of ${ROUNDS}:`);
console.log(`  hand-written bash (one ip per step): ${byHand.toFixed(0)} ms`);
console.log(
  `  nsmatrix compiled script:            ${ours.toFixed(0)} ms  (includes feature probes and link settle)`,
);
console.log(`  ratio nsmatrix / by hand:            ${(ours / byHand).toFixed(2)}  (target <= 1.00)`);

const full = await time(
  () => $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml --format json`.quiet().nothrow(),
  3,
);
console.log(`Full Box0 run, ${box0.variants.length} variants on the host kernel, median of 3:`);
console.log(`  wall time: ${(full / 1000).toFixed(2)} s  (target <= 3 s, ratio ${(full / 3000).toFixed(2)})`);
