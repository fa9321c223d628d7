// runMatrix, the heart of the pipeline, against backends that answer with TAP of our making: what
// each column's results are when its scripts pass, fail, break in set-up, never run (interrupted),
// or when the kernel dies or the column cannot run at all. No root: nothing touches the system.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend, BatchOptions, BatchRun } from "../../../src/backends/index.js";
import type { CompiledScript } from "../../../src/compile/index.js";
import { loadScenario } from "../../../src/model/index.js";
import type { Result } from "../../../src/results/index.js";
import { formatProgress, type ProgressEvent, runMatrix } from "../../../src/run/index.js";

const sc = loadScenario("test/fixtures/scenarios/two-hosts.yaml");
const CHECKS = ["ping", "tcp", "tcp-reset", "udp", "udp-dropped"];

// TAP as a script prints it: outcomes per check in order ("reach"/"no-reach").
function tap(outcomes: string[], extra: Record<number, string> = {}): string {
  const points = outcomes.map((o, i) => {
    const head = `${o === "reach" ? "ok" : "not ok"} ${i + 1} - ${CHECKS[i]}`;
    const yaml = [
      "  ---",
      `  check: ${CHECKS[i]}`,
      "  kind: ping",
      `  outcome: ${o}`,
      "  stage: replied",
      "  command: 'x'",
      "  exit: 0",
      "  duration_ms: 3",
      extra[i + 1] ?? "",
      "  ...",
    ];
    return [head, ...yaml.filter(Boolean)].join("\n");
  });
  return ["TAP version 13", `1..${outcomes.length}`, ...points].join("\n");
}
const finished = (text: string) => ({ tap: text, exitCode: 0, timedOut: false, stderr: "", durationMs: 10 });
const ALL = ["reach", "reach", "no-reach", "reach", "no-reach"];

/** A backend that answers each script with `answer(script, i)`; it records what it was given. */
function fake(
  answer: (s: CompiledScript, i: number, o: BatchOptions) => Partial<BatchRun> & { run?: string },
) {
  const given: CompiledScript[][] = [];
  const backend: Backend = {
    kernel: "6.1.0-50-amd64",
    label: "debian:6.1",
    userspace: "host",
    machine: "qemu",
    defaultTimeoutScale: 3,
    async runBatch(scripts, _budgets, opts) {
      given.push(scripts);
      let batch: BatchRun = { runs: [], accel: "tcg" };
      scripts.forEach((s, i) => {
        const { run, ...rest } = answer(s, i, opts);
        batch = { ...batch, ...rest, runs: [...batch.runs, run === undefined ? undefined : finished(run)] };
        if (run !== undefined) opts.onDone?.(i, finished(run));
      });
      return batch;
    },
  };
  return { backend, given };
}

const cells = (results: Result[]) =>
  results.map((r) => `${r.variant}/${r.check} ${"outcome" in r ? `${r.outcome} ` : ""}${r.verdict}`);

let dir = "";
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

describe("runMatrix", () => {
  it("gives each check its verdict against the expectation on the column's kernel", async () => {
    const { backend } = fake(() => ({ run: tap(ALL) }));
    const report = await runMatrix([sc], [backend], { repeat: 1, jobs: 1, kernelJobs: 1 });
    expect(cells(report.results)).toEqual([
      "plain/ping reach pass",
      "plain/tcp reach pass",
      "plain/tcp-reset no-reach pass",
      "plain/udp reach pass",
      "plain/udp-dropped no-reach pass",
      "wrong/ping reach fail",
      "wrong/tcp reach pass",
      "wrong/tcp-reset no-reach pass",
      "wrong/udp reach pass",
      "wrong/udp-dropped no-reach pass",
    ]);
    expect(report.columns).toEqual([
      {
        kernel: "6.1.0-50-amd64",
        userspace: "host",
        spec: "debian:6.1",
        machine: "qemu",
        accel: "tcg",
        host: hostname(),
        durationMs: expect.any(Number),
      },
    ]);
    expect(report.graphs?.["two-hosts"]).toMatch(/^flowchart LR/);
  });

  it("compiles a variant once per column, with the column's timeout scale, whatever its repeats", async () => {
    const { backend, given } = fake(() => ({ run: tap(ALL) }));
    const report = await runMatrix([sc], [backend], {
      repeat: 3,
      jobs: 1,
      kernelJobs: 1,
      variants: ["plain"],
    });
    const [scripts = []] = given;
    expect(scripts).toHaveLength(3);
    expect(new Set(scripts)).toHaveProperty("size", 1);
    expect(scripts[0]?.text).toContain("socat -u -T 1.5 TCP4:10.99.0.2:22");
    expect(
      report.results.map((r) => ("runs" in r ? `${r.check} ${r.reached}/${r.runs}` : r.verdict)),
    ).toEqual(["ping 3/3", "tcp 3/3", "tcp-reset 0/3", "udp 3/3", "udp-dropped 0/3"]);
  });

  it("says a run broke in set-up, with the Bail out! reason, for the checks it never reported", async () => {
    const { backend } = fake(() => ({
      run: `TAP version 13\n1..5\nBail out! nodes.a.routes[0] (t.yaml:6): ip -n x route add ... failed: Nexthop device is not up`,
    }));
    const report = await runMatrix([sc], [backend], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      variants: ["plain"],
    });
    expect(
      new Set(report.results.map((r) => ("reason" in r ? `${r.verdict}: ${r.reason}` : r.verdict))),
    ).toEqual(
      new Set([
        "error: set-up failed: nodes.a.routes[0] (t.yaml:6): ip -n x route add ... failed: Nexthop device is not up",
      ]),
    );
  });

  it("marks as interrupted the variants a cancelled run never ran", async () => {
    const { backend } = fake((_s, i) => (i === 0 ? { run: tap(ALL) } : {}));
    const report = await runMatrix([sc], [backend], { repeat: 1, jobs: 1, kernelJobs: 1 });
    expect(cells(report.results).slice(0, 2)).toEqual(["plain/ping reach pass", "plain/tcp reach pass"]);
    expect(
      new Set(report.results.slice(5).map((r) => ("reason" in r ? `${r.verdict}: ${r.reason}` : "?"))),
    ).toEqual(new Set(["error: not run (interrupted)"]));
  });

  it("turns the checks of variants the kernel died in into crash, with the console", async () => {
    const { backend } = fake((_s, i) =>
      i === 0
        ? { run: tap(ALL) }
        : { crash: { kind: "panic", excerpt: "Kernel panic - not syncing: Fatal exception in interrupt" } },
    );
    const report = await runMatrix([sc], [backend], { repeat: 1, jobs: 1, kernelJobs: 1 });
    expect(
      cells(report.results)
        .slice(0, 5)
        .every((c) => c.endsWith("pass") || c.endsWith("fail")),
    ).toBe(true);
    const crashed = report.results.slice(5);
    expect(crashed.map((r) => r.verdict)).toEqual(["crash", "crash", "crash", "crash", "crash"]);
    expect(crashed[0]).toMatchObject({
      reason: "kernel panic",
      console: expect.stringContaining("Kernel panic"),
    });
  });

  it("skips every check of a column that cannot run, with the reason", async () => {
    const { backend } = fake(() => ({ skip: "no container engine: docker is not installed" }));
    const report = await runMatrix([sc], [backend], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      variants: ["plain"],
    });
    expect(
      new Set(report.results.map((r) => ("reason" in r ? `${r.verdict}: ${r.reason}` : r.verdict))),
    ).toEqual(new Set(["skip: no container engine: docker is not installed"]));
    expect(report.results).toHaveLength(5);
  });

  it("names the pcaps the script wrote and the backend brought back, by their full path", async () => {
    dir = mkdtempSync(join(tmpdir(), "nsm-matrix-"));
    const { backend } = fake((_s, i, o) => {
      const at = o.artifacts?.(i) ?? "";
      mkdirSync(at, { recursive: true });
      writeFileSync(join(at, "ping.a.pcap"), "");
      // tcp.b.pcap is named in the TAP, but never came back.
      return { run: tap(ALL, { 1: "  pcaps: ping.a.pcap", 2: "  pcaps: tcp.b.pcap" }) };
    });
    const report = await runMatrix([sc], [backend], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      variants: ["plain"],
      artifacts: dir,
      capture: "all",
    });
    const pcapsOf = (check: string) => {
      const r = report.results.find((x) => x.check === check);
      return r && "evidence" in r ? r.evidence?.pcaps : undefined;
    };
    expect(pcapsOf("ping")).toEqual([join(dir, "two-hosts", "plain", "6.1.0-50-amd64", "ping.a.pcap")]);
    expect(pcapsOf("tcp")).toEqual([]);
  });

  it("holds a variant with a problem for the user, and only such a variant", async () => {
    const held: string[] = [];
    const { backend } = fake((_s, i, o) => {
      void o.onHold?.(i, [`enter ${i}`]);
      return { run: tap(ALL) };
    });
    const lines = tap(ALL).split("\n");
    const withLines: Backend = {
      ...backend,
      async runBatch(scripts, budgets, o) {
        scripts.forEach((_s, i) => {
          for (const l of lines) o.onLine?.(i, l);
        });
        return backend.runBatch(scripts, budgets, o);
      },
    };
    await runMatrix([sc], [withLines], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      keep: async (h) => {
        held.push(`${h.variant}: ${h.problems.join(", ")}; ${h.enter.join(" ")}`);
      },
    });
    expect(held).toEqual(["wrong: ping: fail; enter 1"]);
  });

  // The TAP's lines as a backend streams them, each point followed by its selftest line.
  const streaming = (machine: Backend["machine"], label: string): Backend => {
    const { backend } = fake(() => ({ run: tap(ALL) }));
    const lines = tap(ALL)
      .split("\n")
      .flatMap((l) => (l === "  ..." ? [l, `# [ OK ]  ${CHECKS[0]}: reach (replied), expected reach`] : [l]));
    // Each point's selftest line names its own check.
    let n = 0;
    const named = lines.map((l) =>
      l.startsWith("# [ OK ]") ? l.replace(CHECKS[0] as string, CHECKS[n++ % 5] as string) : l,
    );
    return {
      ...backend,
      machine,
      label,
      async runBatch(scripts, budgets, o) {
        scripts.forEach((_s, i) => {
          for (const l of named) o.onLine?.(i, l);
        });
        return backend.runBatch(scripts, budgets, o);
      },
    };
  };

  it("gives each check's result as its point ends, by the report's rules, with its column", async () => {
    const events: Extract<ProgressEvent, { kind: "check-done" }>[] = [];
    const report = await runMatrix([sc], [streaming("host", "host"), streaming("qemu", "debian:6.1")], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      progress: (e) => e.kind === "check-done" && events.push(e),
    });
    expect(events).toHaveLength(20);
    for (const e of events) {
      const column = report.columns[e.column];
      const final = report.results.find(
        (r) =>
          r.variant === e.variant &&
          r.check === e.result.check &&
          r.kernel === column?.kernel &&
          r.userspace === column?.userspace,
      );
      expect(e.result.verdict).toBe(final?.verdict);
    }
    expect(
      events.map((e) => `${e.column} ${e.variant}/${e.result.check} ${e.result.verdict}`).slice(5, 7),
    ).toEqual(["0 wrong/ping fail", "0 wrong/tcp pass"]);
    // Only a guest's are worth a line of progress: the host's variants are over in a second or two.
    const lines = events.map(formatProgress);
    expect(lines.slice(0, 10).every((l) => l === undefined)).toBe(true);
    expect(lines[15]).toBe("  debian:6.1 two-hosts / wrong: ok 1 - ping");
  });
});
