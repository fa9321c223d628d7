// A check's expectation on "this kernel", decided by the script itself from the running kernel's
// version, so that a reproducer run by hand prints [ OK ]/[FAIL]/[XFAIL] lines as a selftest
// does. The same rule as results/expect.ts (which gives the verdicts nsmatrix reports); a unit
// test holds the two together.
import semver from "semver";
import type { CheckModel, ExpectationT } from "../model/index.js";

/** A version as one number, as nsm_kv computes it in the script: 6.1.0 → 6001000. */
export const versionNumber = (v: { major: number; minor: number; patch: number }) =>
  v.major * 1_000_000 + Math.min(v.minor, 999) * 1000 + Math.min(v.patch, 999);

const INF = 999_999_999_999;

// A range as intervals [lo, hi) of version numbers, one per alternative ("||").
function intervals(range: string): [number, number][] {
  return new semver.Range(range).set.map((set) => {
    let lo = 0;
    let hi = INF;
    for (const c of set) {
      // The comparator of "*" matches any version, and carries no version of its own.
      if (c.value === "") continue;
      const n = versionNumber(c.semver);
      if (c.operator === ">=") lo = Math.max(lo, n);
      else if (c.operator === ">") lo = Math.max(lo, n + 1);
      else if (c.operator === "<") hi = Math.min(hi, n);
      else if (c.operator === "<=") hi = Math.min(hi, n + 1);
      else {
        lo = Math.max(lo, n);
        hi = Math.min(hi, n + 1);
      }
    }
    return [lo, hi];
  });
}

interface Rule {
  range: string;
  expect: ExpectationT;
}

// The rules in the order expectationFor applies them: the variant's ranges, its "*", the
// check's "*" entry's ranges, its "*"; then reach.
function rules(c: CheckModel, variant: string): { ranged: Rule[]; otherwise: ExpectationT } {
  const e = c.expect;
  if (typeof e === "string") return { ranged: [], otherwise: e };
  const ranged: Rule[] = [];
  for (const spec of [e[variant], e["*"]]) {
    if (spec === undefined) continue;
    if (typeof spec === "string") return { ranged, otherwise: spec };
    for (const [range, x] of Object.entries(spec)) if (range !== "*") ranged.push({ range, expect: x });
    if (spec["*"] !== undefined) return { ranged, otherwise: spec["*"] };
  }
  return { ranged, otherwise: "reach" };
}

const WORDS: Record<ExpectationT, string> = {
  reach: "reach",
  "no-reach": "no-reach (must not get through)",
  xfail: "xfail (meant to reach; a known bug or limit stops it)",
  flaky: "flaky (a known race: either outcome)",
};

/** The expectation in words: "xfail (...) on <3.10; reach on every other kernel". */
export function expectWords(c: CheckModel, variant: string): string {
  const { ranged, otherwise } = rules(c, variant);
  if (!ranged.length) return WORDS[otherwise];
  return [...ranged.map((r) => `${r.expect} on ${r.range}`), `${otherwise} on every other kernel`].join("; ");
}

/** Shell that sets nsm_e<id> to the expectation on the running kernel ($nsm_kv). */
export function expectShell(c: CheckModel, variant: string, id: number): string[] {
  const { ranged, otherwise } = rules(c, variant);
  const v = `nsm_e${id}`;
  if (!ranged.length) return [`${v}=${otherwise}`];
  const out: string[] = [];
  ranged.forEach((r, i) => {
    const test = intervals(r.range)
      .map(([lo, hi]) => `nsm_kv_in ${lo} ${hi}`)
      .join(" || ");
    out.push(`${i === 0 ? "if" : "elif"} ${test}; then ${v}=${r.expect} # ${r.range}`);
  });
  out.push(`else ${v}=${otherwise}`, "fi");
  return out;
}
