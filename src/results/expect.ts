// Expectation matching: which outcome a check should have on a kernel, and the verdict.
import semver from "semver";
import type { ExpectationT, ExpectT, OutcomeT } from "../model/index.js";

/** `6.18.44-fc-v769` → `6.18.44`; `3.10.0-1160.el7.x86_64` → `3.10.0`. */
export function kernelSemver(release: string): string | undefined {
  return semver.coerce(release)?.version;
}

function fromRanges(
  spec: ExpectationT | Record<string, ExpectationT>,
  version?: string,
): ExpectationT | undefined {
  if (typeof spec === "string") return spec;
  for (const [range, e] of Object.entries(spec)) {
    if (range !== "*" && version && semver.satisfies(version, range)) return e;
  }
  return spec["*"];
}

/**
 * The expected outcome of a check in a variant on a kernel: the variant's entry (first matching
 * range, then its "*"), then the check's "*" entry, then `reach`.
 */
export function expectationFor(expect: ExpectT, variant: string, kernelRelease: string): ExpectationT {
  if (typeof expect === "string") return expect;
  const version = kernelSemver(kernelRelease);
  const own = expect[variant];
  const fallback = expect["*"];
  return (own && fromRanges(own, version)) ?? (fallback && fromRanges(fallback, version)) ?? "reach";
}

/**
 * The verdict for an observed outcome. xfail: meant to reach, known not to. flaky: a known race
 * on this kernel, where either outcome passes (and repeats may disagree).
 */
export function verdictOf(outcome: OutcomeT, expected: ExpectationT): "pass" | "fail" | "xfail" | "xpass" {
  switch (expected) {
    case "reach":
    case "no-reach":
      return outcome === expected ? "pass" : "fail";
    case "xfail":
      return outcome === "no-reach" ? "xfail" : "xpass";
    case "flaky":
      return "pass";
  }
}
