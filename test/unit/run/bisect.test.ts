// The kernel bisection (run/bisect.ts) with a fake measure: the ends first, then halving; kernels
// that cannot tell stepped over; results already known not run again. And git bisect run's exit
// status from a run's results.
import { describe, expect, it } from "vitest";
import type { Result } from "../../../src/results/index.js";
import { bisectExit, bisectKernels, isCheck, type Probe } from "../../../src/run/index.js";

const KERNELS = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];

/** A fake measure: each kernel's outcome from a table; "?" cannot tell. Records what it ran. */
function fake(table: Record<string, "reach" | "no-reach" | "?">) {
  const ran: string[][] = [];
  const measure = async (specs: string[]): Promise<Probe[]> => {
    ran.push(specs);
    return specs.map((spec) => {
      const o = table[spec];
      return o === "?" || o === undefined
        ? { spec, release: `${spec}-rel`, why: "skip: kernel lacks it" }
        : { spec, release: `${spec}-rel`, outcome: o, why: o === "reach" ? "connected" : "syn-timeout" };
    });
  };
  return { ran, measure };
}

const changeAt = (i: number) =>
  Object.fromEntries(KERNELS.map((k, j) => [k, j < i ? "no-reach" : "reach"])) as Record<
    string,
    "reach" | "no-reach"
  >;

describe("bisectKernels", () => {
  it.each([1, 2, 3, 4, 5, 6, 7])(
    "finds a change at kernel %i, measuring the ends first, then about log2 more",
    async (at) => {
      const f = fake(changeAt(at));
      const b = await bisectKernels(KERNELS, f.measure);
      expect(b.kind).toBe("found");
      if (b.kind !== "found") return;
      expect(b.first.spec).toBe(`k${at}`);
      expect(b.before.spec).toBe(`k${at - 1}`);
      expect(f.ran[0]).toEqual(["k0", "k7"]);
      expect(f.ran.slice(1).every((r) => r.length === 1)).toBe(true);
      expect(f.ran.length - 1).toBeLessThanOrEqual(3);
      // Never the same kernel twice.
      expect(new Set(f.ran.flat()).size).toBe(f.ran.flat().length);
    },
  );

  it("says when the ends agree, after measuring only them", async () => {
    const f = fake(changeAt(0));
    expect((await bisectKernels(KERNELS, f.measure)).kind).toBe("same");
    expect(f.ran).toEqual([["k0", "k7"]]);
  });

  it("cannot tell when an end cannot", async () => {
    const f = fake({ ...changeAt(3), k7: "?" });
    const b = await bisectKernels(KERNELS, f.measure);
    expect(b).toMatchObject({ kind: "cannot-tell", reason: "k7 cannot tell: skip: kernel lacks it" });
  });

  it("steps over a kernel that cannot tell, nearest the middle first, as git bisect skip", async () => {
    const f = fake({ ...changeAt(6), k3: "?" });
    const b = await bisectKernels(KERNELS, f.measure);
    expect(b.kind === "found" && [b.before.spec, b.first.spec]).toEqual(["k5", "k6"]);
    expect(f.ran.flat()).toEqual(["k0", "k7", "k3", "k2", "k4", "k5", "k6"]);
  });

  it("gives the two kernels around a change it cannot place closer (the one between cannot tell)", async () => {
    const f = fake({ ...changeAt(4), k3: "?" });
    const b = await bisectKernels(KERNELS, f.measure);
    expect(b).toMatchObject({ kind: "cannot-tell", reason: "every kernel between k2 and k4 cannot tell" });
    expect(b.kind === "cannot-tell" && b.between?.map((p) => p.outcome)).toEqual(["no-reach", "reach"]);
  });

  it("gives the range when every kernel left between cannot tell", async () => {
    const f = fake({ ...changeAt(4), k2: "?", k3: "?" });
    const b = await bisectKernels(["k1", "k2", "k3", "k4"], f.measure);
    expect(b).toMatchObject({ kind: "cannot-tell", reason: "every kernel between k1 and k4 cannot tell" });
  });

  it("reuses what it already knows: a results file's kernels are not run again", async () => {
    const f = fake(changeAt(5));
    const known = new Map<string, Probe>([
      ["k7", { spec: "k7", release: "k7-rel", outcome: "reach", why: "connected" }],
    ]);
    const b = await bisectKernels(KERNELS, f.measure, { known });
    expect(b.kind === "found" && b.first.spec).toBe("k5");
    expect(f.ran[0]).toEqual(["k0"]);
    expect(b.steps.find((s) => s.spec === "k7")?.reused).toBe(true);
  });
});

const result = (over: Partial<Result> & Record<string, unknown>): Result =>
  ({
    scenario: "s",
    variant: "v",
    check: "c",
    kernel: "6.1.0-50-amd64",
    userspace: "host",
    verdict: "pass",
    outcome: "reach",
    expected: "reach",
    runs: 1,
    reached: 1,
    evidence: { command: "x", exitCode: 0, durationMs: 1, stderrTail: "", stage: "connected" },
    ...over,
  }) as Result;

describe("bisectExit (run --bisect)", () => {
  it("is 0 for a check that reached, 1 for one that did not, swapped by --bisect-bad reach", () => {
    expect(bisectExit([result({})], "c").code).toBe(0);
    expect(bisectExit([result({ verdict: "fail", outcome: "no-reach" })], "c").code).toBe(1);
    expect(bisectExit([result({})], "c", "reach").code).toBe(1);
    expect(bisectExit([result({ verdict: "xfail", outcome: "no-reach" })], "v/c", "reach").code).toBe(0);
  });

  it("is 125 when it cannot tell: skipped, an error, runs that disagree", () => {
    expect(bisectExit([result({ verdict: "skip", reason: "no vrf" })], "c")).toEqual({
      code: 125,
      why: "c cannot tell on 6.1.0-50-amd64: skip: no vrf",
    });
    expect(bisectExit([result({ verdict: "error", reason: "set-up failed" })], "c").code).toBe(125);
    expect(bisectExit([result({ runs: 3, reached: 2 })], "c").code).toBe(125);
  });

  it("is 128 for a check no result has (git bisect run stops)", () => {
    expect(bisectExit([result({})], "nosuch").code).toBe(128);
  });

  it("names a check as check, variant/check or scenario/variant/check", () => {
    const r = { scenario: "s", variant: "v", check: "c" };
    expect(["c", "v/c", "s/v/c"].map((n) => isCheck(r, n))).toEqual([true, true, true]);
    expect(["d", "w/c", "t/v/c", "/c", "v/", "a/s/v/c"].map((n) => isCheck(r, n))).toEqual(
      Array(6).fill(false),
    );
  });
});
