// `npm run bench`: set-up + teardown against a hand-written script, and a full Box0 run. Prints figures and ratios.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { $ } from "zx";
import { compileVariant } from "../src/compile/index.js";
import { loadScenario } from "../src/model/index.js";
import { rawChain, writeChain } from "./chain.js";

$.verbose = false;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
async function time(fn: () => Promise<unknown>, rounds: number, pauseMs = 0): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

// Start-up: what a command costs before it does anything, against Node's own start in the same run.
{
  const startRounds = Math.max(ROUNDS, 10);
  const nodeAlone = await time(() => $`node -e 0`.quiet(), startRounds);
  const version = await time(() => $`node bin/nsmatrix.js --version`.quiet(), startRounds);
  const validate = await time(
    () => $`node bin/nsmatrix.js validate scenarios/box0-bridge-dnat.yaml`.quiet(),
    startRounds,
  );
  console.log(`Start-up, median of ${startRounds}:`);
  console.log(`  node -e 0:                  ${nodeAlone.toFixed(0)} ms`);
  console.log(
    `  nsmatrix --version:         ${version.toFixed(0)} ms  (target <= 250 ms, ratio ${(version / 250).toFixed(2)}; ${(version / nodeAlone).toFixed(1)}× node's own start)`,
  );
  console.log(
    `  nsmatrix validate (Box0):   ${validate.toFixed(0)} ms  (target <= 250 ms, ratio ${(validate / 250).toFixed(2)}; ${(validate / nodeAlone).toFixed(1)}× node's own start)`,
  );
}

if (process.getuid?.() !== 0) {
  console.error("bench needs root: it creates network namespaces");
  process.exit(2);
}

// The Box0 topology with no services and no checks: only probes, set-up, settle and teardown.
const box0 = loadScenario("scenarios/box0-bridge-dnat.yaml");
const setupOnly = compileVariant(
  { ...box0, services: [], checks: [], variants: box0.variants.map((v) => ({ ...v, checks: [] })) },
  "baseline",
);
const script = join(tmpdir(), "nsm-bench-setup.sh");
writeFileSync(script, setupOnly.text);

const byHand = await time(() => $`bash bench/box0-by-hand.sh`.quiet(), ROUNDS);
const ours = await time(() => $`sh ${script}`.quiet(), ROUNDS);
rmSync(script, { force: true });
console.log(`Box0 set-up + teardown, median of ${ROUNDS}:`);
console.log(`  hand-written bash (one ip per step): ${byHand.toFixed(0)} ms`);
console.log(
  `  nsmatrix compiled script:            ${ours.toFixed(0)} ms  (includes feature probes and link settle)`,
);
console.log(`  ratio nsmatrix / by hand:            ${(ours / byHand).toFixed(2)}  (target <= 1.00)`);

// Dual stack: two routers, four hosts, ping and TCP over IPv4 and IPv6; the whole reproducer
// (set-up, services, eight checks, teardown) against the same steps by hand.
{
  const ds = loadScenario("bench/dual-stack/scenario.yaml");
  const file = join(tmpdir(), "nsm-bench-dual-stack.sh");
  writeFileSync(file, compileVariant(ds, "default").text);
  const quiet = join(tmpdir(), "nsm-bench-dual-stack-quiet.sh");
  writeFileSync(quiet, compileVariant(ds, "default", { diagnose: false }).text);
  const hand = await time(() => $`sh bench/dual-stack/by-hand.sh`.quiet(), ROUNDS);
  const script = await time(() => $`sh ${file}`.quiet(), ROUNDS);
  const noTrace = await time(() => $`sh ${quiet}`.quiet(), ROUNDS);
  const run = await time(() => $`node bin/nsmatrix.js run bench/dual-stack/scenario.yaml -f json`.quiet(), 3);
  rmSync(file, { force: true });
  rmSync(quiet, { force: true });
  console.log(`Dual stack (2 routers, 4 hosts, 8 checks over IPv4 and IPv6), median of ${ROUNDS}:`);
  console.log(`  by hand (one ip per step):           ${hand.toFixed(0)} ms`);
  console.log(
    `  nsmatrix compiled script:            ${script.toFixed(0)} ms  (ratio ${(script / hand).toFixed(2)})`,
  );
  console.log(
    `  the same, --no-diagnose:             ${noTrace.toFixed(0)} ms  (ratio ${(noTrace / hand).toFixed(2)})`,
  );
  console.log(
    `  nsmatrix run (node, preflight, TAP): ${run.toFixed(0)} ms  (ratio ${(run / hand).toFixed(2)}, median of 3)`,
  );
}

// The full run in declared order, then the same scenario with parallel: true, to see what the
// order costs; and each variant's own time, to see where it goes.
const parallelFile = join(tmpdir(), "nsm-bench-parallel.yaml");
writeFileSync(
  parallelFile,
  readFileSync("scenarios/box0-bridge-dnat.yaml", "utf8")
    .replace("topology: ../topologies/", `topology: ${resolve("topologies")}/`)
    .replace("\ntimeout: 0.5\n", "\ntimeout: 0.5\nparallel: true\n"),
);
const perVariant = new Map<string, number[]>();
const runBox0 = async (file: string) => {
  const r = await $`node bin/nsmatrix.js run ${file} --format json`.quiet().nothrow();
  for (const m of r.stderr.matchAll(/^✓ host box0-bridge-dnat \/ (\S+): .* \(([\d.]+) s\)$/gm)) {
    perVariant.set(m[1] as string, [...(perVariant.get(m[1] as string) ?? []), Number(m[2])]);
  }
};
const full = await time(() => runBox0("scenarios/box0-bridge-dnat.yaml"), 3);
const variantTimes = [...perVariant].map(([v, xs]) => [v, median(xs)] as const).sort((a, b) => b[1] - a[1]);
perVariant.clear();
const parallel = await time(() => runBox0(parallelFile), 3);
rmSync(parallelFile, { force: true });
console.log(
  `Full Box0 run, ${box0.variants.length} variants × ${box0.checks.length} checks on the host kernel, median of 3:`,
);
console.log(
  `  wall time, declared order: ${(full / 1000).toFixed(2)} s  (target <= 3 s, ratio ${(full / 3000).toFixed(2)})`,
);
console.log(
  `  wall time, parallel: true: ${(parallel / 1000).toFixed(2)} s  (declared order / parallel: ${(full / parallel).toFixed(2)})`,
);
console.log(
  `  per variant, declared order: ${variantTimes.map(([v, t]) => `${v} ${t.toFixed(1)} s`).join(", ")}`,
);

// The container column's overhead: Box0 on the host kernel with bullseye's tools in a container
// (start, tool probe, scripts, removal) against the host's own tools. Builds bullseye once.
const engine = await $`docker version`.quiet().nothrow();
if (engine.exitCode === 0) {
  await $`node bin/nsmatrix.js userspace build debian:bullseye`.quiet();
  const hostTools = await time(
    () => $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml -f json`.quiet().nothrow(),
    3,
  );
  const inContainer = await time(
    () =>
      $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml -u debian:bullseye -f json`
        .quiet()
        .nothrow(),
    3,
  );
  console.log("Box0 on the host kernel, host tools against debian:bullseye in a container, median of 3:");
  console.log(`  host userspace:            ${(hostTools / 1000).toFixed(2)} s`);
  console.log(`  debian:bullseye container: ${(inContainer / 1000).toFixed(2)} s`);
  console.log(`  ratio container / host:    ${(inContainer / hostTools).toFixed(2)}  (target <= 1.3)`);
} else {
  console.log("Box0 in a container: skipped, no Docker engine (bash scripts/setup.sh starts one)");
}

// The drop trace's cost: Box0 on the host with skb:kfree_skb traced around every check (the
// default) against --no-diagnose; and the pcaps of --artifacts on top.
{
  const run = (extra: string[]) => () =>
    $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml -f json ${extra}`.quiet().nothrow();
  const art = mkdtempSync(join(tmpdir(), "nsm-bench-artifacts-"));
  const off = await time(run(["--no-diagnose"]), 3);
  const on = await time(run([]), 3);
  const pcaps = await time(run(["--artifacts", art]), 3);
  rmSync(art, { recursive: true, force: true });
  console.log("Box0 on the host kernel, diagnosis (skb:kfree_skb around each check) and pcaps, median of 3:");
  console.log(`  --no-diagnose:           ${(off / 1000).toFixed(2)} s`);
  console.log(`  diagnosis (default):     ${(on / 1000).toFixed(2)} s  (ratio ${(on / off).toFixed(2)})`);
  console.log(
    `  and --artifacts (pcaps): ${(pcaps / 1000).toFixed(2)} s  (ratio ${(pcaps / off).toFixed(2)})`,
  );
}

// Scale: chains of 500 and 2000 namespaces, nsmatrix against a raw ip -batch of the same.
const chainDir = mkdtempSync(join(tmpdir(), "nsm-bench-chain-"));
const scale: Record<number, { ours: number; raw: number }> = {};
for (const n of [500, 2000]) {
  const file = writeChain(chainDir, n);
  // The kernel frees namespaces after the fact (a kworker, for seconds at 2000): each round waits
  // for the one before to be gone, or it pays for its predecessor's cleanup.
  const pause = n * 5;
  const ours = await time(
    () => $`node bin/nsmatrix.js run ${file} --format json`.quiet().nothrow(),
    3,
    pause,
  );
  const raw = await time(
    () => $({ input: rawChain(n, "nsmbenchraw") })`ip -batch -`.quiet().nothrow(),
    3,
    pause,
  );
  scale[n] = { ours, raw };
}
rmSync(chainDir, { recursive: true, force: true });
console.log("Chains of namespaces (one veth per hop, a /30 each, one ping), median of 3:");
for (const [n, { ours, raw }] of Object.entries(scale)) {
  console.log(
    `  ${n.padStart(4)}: nsmatrix run ${(ours / 1000).toFixed(2)} s, raw ip -batch ${(raw / 1000).toFixed(2)} s  (ratio ${(ours / raw).toFixed(1)})`,
  );
}
const [s500, s2000] = [scale[500], scale[2000]];
if (s500 && s2000) {
  console.log(
    `  2000 against the target: ${(s2000.ours / 1000).toFixed(2)} s  (target <= 10 s, ratio ${(s2000.ours / 10000).toFixed(2)})`,
  );
  console.log(`  2000 / 500: ${(s2000.ours / s500.ours).toFixed(2)}  (target <= 4.5, linear would be 4)`);
}

// Guest kernels: boot to first command for Debian 6.1, and Box0 on host + three guests (kernels cached).
if (process.env.BENCH_GUESTS !== "0") {
  const { exec } = await import("../src/system/exec.js");
  const { runInGuest } = await import("../src/backends/qemu/guest.js");
  const { defaultCacheDir, resolveKernel } = await import("../src/kernels/index.js");
  const cacheDir = defaultCacheDir();
  const k61 = await resolveKernel("debian:6.1", { exec, cacheDir });
  if (k61) {
    const boots: number[] = [];
    const totals: number[] = [];
    let accel = "";
    for (let i = 0; i < 3; i++) {
      const g = await runInGuest(k61, [{ id: "uname", script: "uname -r\n" }], {
        accel: "auto",
        exec,
        cacheDir,
        timeoutMs: 120_000,
        timeoutScale: 1,
      });
      boots.push(g.bootMs);
      totals.push(g.totalMs);
      accel = g.accel;
    }
    console.log(`Debian 6.1 guest (${k61.release}) under ${accel.toUpperCase()}, median of 3:`);
    console.log(
      `  boot to first command: ${(median(boots) / 1000).toFixed(2)} s  (target <= 4 s, ratio ${(median(boots) / 4000).toFixed(2)})`,
    );
    console.log(`  boot + one command + power-off: ${(median(totals) / 1000).toFixed(2)} s`);
    // The drop trace under TCG: Box0 baseline in the 6.1 guest, with and without.
    const guestRun = (extra: string[]) => () =>
      $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml -v baseline -k debian:6.1 -f json ${extra}`
        .quiet()
        .nothrow();
    const gOff = await time(guestRun(["--no-diagnose"]), 3);
    const gOn = await time(guestRun([]), 3);
    console.log("Box0 baseline in the 6.1 guest, boot included, median of 3:");
    console.log(
      `  --no-diagnose: ${(gOff / 1000).toFixed(2)} s, diagnosis: ${(gOn / 1000).toFixed(2)} s  (ratio ${(gOn / gOff).toFixed(2)})`,
    );
    // Default -j (one guest per core), then all three guests at once: a guest is one vCPU and
    // idles in timeouts, so three on two cores finish sooner.
    const kernels = "host,debian:5.10,debian:6.1,debian:6.12";
    console.log("Box0 on host + debian:5.10, 6.1, 6.12 (kernels cached):");
    for (const jobs of [availableParallelism(), 3]) {
      const matrix = await time(
        () =>
          $`node bin/nsmatrix.js run scenarios/box0-bridge-dnat.yaml -k ${kernels} -j ${jobs} --format json`
            .quiet()
            .nothrow(),
        1,
      );
      console.log(
        `  -j ${jobs}: wall time ${(matrix / 1000).toFixed(1)} s  (target <= 60 s, ratio ${(matrix / 60000).toFixed(2)})`,
      );
    }
  }
}
