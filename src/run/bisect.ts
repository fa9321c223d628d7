// Where a check's outcome changes along an ordered list of kernels: git bisect's search, over
// kernel specs instead of commits. Pure: the kernels are measured by the `measure` it is given.
import type { OutcomeT } from "../model/index.js";
import type { Result } from "../results/index.js";

/** One kernel's answer for the check: its outcome, or why it cannot tell. */
export interface Probe {
  spec: string;
  /** The kernel release it ran (6.1.0-50-amd64), when it ran. */
  release?: string;
  /** Absent: it cannot tell (skipped, set-up failed, crashed). */
  outcome?: OutcomeT;
  /** The evidence in a few words: "no answer to the SYN within 0.5 s", or why it cannot tell. */
  why: string;
}

/** Measures kernels (several at once when it can); one probe per spec, in order. */
export type Measure = (specs: string[]) => Promise<Probe[]>;

export interface BisectStep {
  spec: string;
  probe: Probe;
  /** Known before the search (a results file) or measured earlier in it: not run again. */
  reused: boolean;
}

export type BisectOutcome =
  /** `first` is the first kernel with the last kernel's outcome; `before` the one before it. */
  | { kind: "found"; first: Probe; before: Probe; steps: BisectStep[] }
  /** Both ends agree: nothing changes between them (as far as two ends can say). */
  | { kind: "same"; steps: BisectStep[] }
  /** An end cannot tell, or every kernel left between lo and hi cannot. */
  | { kind: "cannot-tell"; reason: string; steps: BisectStep[]; between?: [Probe, Probe] };

/** A probe from one result of the check: its outcome, or why there is none. */
export function probeOf(spec: string, r: Result | undefined): Probe {
  if (!r) return { spec, why: "no result for the check" };
  const release = r.kernel;
  switch (r.verdict) {
    case "pass":
    case "fail":
    case "xfail":
    case "xpass":
      // Repeated runs that disagree (a race) say nothing either way.
      if (r.runs > 1 && r.reached > 0 && r.reached < r.runs)
        return { spec, release, why: `reached on ${r.reached} of ${r.runs} runs` };
      return { spec, release, outcome: r.outcome, why: r.evidence.stage ?? r.outcome };
    default:
      return { spec, release, why: `${r.verdict}: ${r.reason}` };
  }
}

/**
 * Searches `specs` (oldest first) for the first kernel whose outcome differs from the first
 * kernel's, by halving, as git bisect does: the two ends first, then the middle of what is left.
 * A kernel that cannot tell is stepped over (git bisect skip), nearest the middle first.
 */
export async function bisectKernels(
  specs: string[],
  measure: Measure,
  opts: { known?: Map<string, Probe>; onStep?: (s: BisectStep) => void } = {},
): Promise<BisectOutcome> {
  const known = new Map(opts.known);
  const steps: BisectStep[] = [];
  const probe = async (wanted: string[]): Promise<Probe[]> => {
    const fresh = [...new Set(wanted.filter((s) => !known.has(s)))];
    const measured = fresh.length ? await measure(fresh) : [];
    fresh.forEach((s, i) => {
      known.set(s, measured[i] ?? { spec: s, why: "not measured" });
    });
    return wanted.map((s) => {
      const p = known.get(s) as Probe;
      const step = { spec: s, probe: p, reused: !fresh.includes(s) };
      steps.push(step);
      opts.onStep?.(step);
      return p;
    });
  };
  if (specs.length < 2) return { kind: "cannot-tell", reason: "give two kernels at least", steps };
  const [first, last] = await probe([specs[0] as string, specs.at(-1) as string]);
  for (const end of [first, last])
    if (!end?.outcome) return { kind: "cannot-tell", reason: `${end?.spec} cannot tell: ${end?.why}`, steps };
  if (first?.outcome === last?.outcome) return { kind: "same", steps };
  // lo has the first kernel's outcome, hi the last's; untestable kernels between are skipped.
  let lo = 0;
  let hi = specs.length - 1;
  const untestable = new Set<number>();
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const candidates = range(lo + 1, hi)
      .filter((i) => !untestable.has(i))
      .sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid) || a - b);
    const i = candidates[0];
    if (i === undefined)
      return {
        kind: "cannot-tell",
        reason: `every kernel between ${specs[lo]} and ${specs[hi]} cannot tell`,
        steps,
        between: [known.get(specs[lo] as string) as Probe, known.get(specs[hi] as string) as Probe],
      };
    const [p] = await probe([specs[i] as string]);
    if (!p?.outcome) untestable.add(i);
    else if (p.outcome === first?.outcome) lo = i;
    else hi = i;
  }
  return {
    kind: "found",
    first: known.get(specs[hi] as string) as Probe,
    before: known.get(specs[lo] as string) as Probe,
    steps,
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

/** Whether a result is of the check a bisection follows: `check`, `variant/check` or `scenario/variant/check`. */
export function isCheck(r: { scenario: string; variant: string; check: string }, name: string): boolean {
  const parts = name.split("/");
  if (parts.length > 3 || parts.some((p) => !p)) return false;
  const [check, variant, scenario] = [...parts].reverse();
  return (
    r.check === check &&
    (variant === undefined || r.variant === variant) &&
    (scenario === undefined || r.scenario === scenario)
  );
}

/**
 * git bisect run's exit status from a run's results for one check: 0 it reached (good), 1 it did
 * not (bad), 125 it cannot tell (skipped, set-up failed, crashed, or runs that disagree). With
 * bad = "reach", good and bad swap. Also the words that say why.
 */
export function bisectExit(
  results: Result[],
  name: string,
  bad: OutcomeT = "no-reach",
): { code: 0 | 1 | 125 | 128; why: string } {
  const mine = results.filter((r) => isCheck(r, name));
  if (!mine.length) return { code: 128, why: `no result of a check ${name}` };
  const probes = mine.map((r) => probeOf(r.kernel, r));
  const cannot = probes.find((p) => !p.outcome);
  if (cannot) return { code: 125, why: `${name} cannot tell on ${cannot.spec}: ${cannot.why}` };
  const outcomes = new Set(probes.map((p) => p.outcome));
  if (outcomes.size !== 1)
    return { code: 125, why: `${name} reached on some runs and not others: cannot tell` };
  const outcome = [...outcomes][0] as OutcomeT;
  const where = probes.map((p) => `${p.spec} (${p.why})`).join(", ");
  return outcome === bad
    ? { code: 1, why: `${name}: ${outcome} on ${where}: bad` }
    : { code: 0, why: `${name}: ${outcome} on ${where}: good` };
}
