// Six configurations people file bugs about (test/fixtures/cases/), each beside a hand-written
// script doing the same steps in the same order (hand/). On the host kernel and in a Debian 6.1
// guest, nsmatrix must see what the hand-written script sees, check by check, and the two kernels
// must agree wherever both have what a case needs.
import { readdirSync } from "node:fs";
import { release } from "node:os";
import { describe, expect, it } from "vitest";
import type { Result } from "../../src/results/index.js";
import { cli, isRoot, jsonOf, runNamespaces, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping the six cases: ${whyNot}`);

const DIR = "test/fixtures/cases";
const CASES = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".topo.yaml") && f !== "hand.yaml")
  .map((f) => `${DIR}/${f}`);

/** Per case/variant/check: nsmatrix's outcome ("reach", "no-reach") or "skip". */
function nsmatrixOutcomes(results: Result[]): Record<string, string> {
  return Object.fromEntries(
    results
      .filter((r) => r.scenario !== "cases-by-hand")
      .map((r) => [`${r.scenario}.${r.variant}/${r.check}`, "outcome" in r ? r.outcome : r.verdict]),
  );
}

/** The same keys, from the hand-written scripts' TAP points (ok = reached). */
function handOutcomes(results: Result[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results.filter((x) => x.scenario === "cases-by-hand")) {
    const points = "evidence" in r ? (r.evidence?.subtests ?? []) : [];
    expect([r.check, points.length > 0]).toEqual([r.check, true]);
    for (const p of points) out[`${r.check}/${p.name}`] = p.ok ? "reach" : "no-reach";
  }
  return out;
}

async function runOn(kernel: string) {
  const r = await cli(["run", ...CASES, `${DIR}/hand.yaml`, "-k", kernel, "-f", "json"], {
    timeout: 900_000,
  });
  const results: Result[] = jsonOf(r).results;
  expect(results.filter((x) => x.verdict === "error" || x.verdict === "crash")).toEqual([]);
  return results;
}

// Measured on 6.18 (host) and Debian 6.1, by nsmatrix and by the hand-written scripts alike.
const EXPECTED: Record<string, string> = {
  "dual-stack.default/ping4": "reach",
  "dual-stack.default/ping6": "reach",
  "dual-stack.default/web4": "reach",
  "dual-stack.default/web6": "reach",
  "dual-stack.default/ssh4": "no-reach",
  "dual-stack.default/ssh6": "no-reach",
  "dual-stack.default/dns6": "reach",
  "dual-stack.default/ttl4": "reach",
  "dual-stack.default/hoplimit6": "reach",
  "dual-stack.default/route6": "reach",
  "k8s-hairpin.baseline/hairpin": "no-reach",
  "k8s-hairpin.hairpin-veth/hairpin": "reach",
  "k8s-hairpin.promiscuous-bridge/hairpin": "no-reach",
  "docker-port.baseline/own-port": "no-reach",
  "docker-port.hairpin/own-port": "reach",
  "fwmark.policy/https-via-isp2": "reach",
  "fwmark.no-rule/https-via-isp2": "no-reach",
  "fwmark.no-rule/marked-route": "no-reach",
  "macvlan.bridge/c1-to-c2": "reach",
  "macvlan.vepa/c1-to-c2": "no-reach",
  "macvlan.bridge/parent-to-c1": "no-reach",
  "vlan-bridge.default/isolated": "no-reach",
  "vlan-bridge.default/to-router": "reach",
};

describe.skipIf(!isRoot)("six cases from bug reports and deployments, beside hand-written scripts", () => {
  let host: Result[] = [];

  it("on the host kernel: every verdict as expected, each outcome the hand-written script's", async () => {
    host = await runOn("host");
    const ours = nsmatrixOutcomes(host);
    const hand = handOutcomes(host);
    // The host kernel has no bridge VLAN filtering and no 802.1Q: a skip naming the option.
    const vlan = host.filter((r) => r.scenario === "vlan-bridge");
    expect(vlan.map((r) => ("reason" in r ? r.reason : r.verdict))).toEqual(
      vlan.map(() => "kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"),
    );
    const compared = Object.keys(ours).filter((k) => ours[k] !== "skip");
    expect(compared.length).toBeGreaterThan(35);
    expect(Object.fromEntries(compared.map((k) => [k, ours[k]]))).toEqual(
      Object.fromEntries(compared.map((k) => [k, hand[k]])),
    );
    for (const [k, want] of Object.entries(EXPECTED))
      if (ours[k] !== "skip") expect([k, ours[k]]).toEqual([k, want]);
    expect(
      host.filter(
        (r) =>
          r.scenario !== "cases-by-hand" &&
          r.verdict !== "pass" &&
          r.verdict !== "xfail" &&
          r.verdict !== "skip",
      ),
    ).toEqual([]);
    expect(runNamespaces()).toEqual([]);
  }, 900_000);

  it("in a Debian 6.1 guest: the same, vlan-bridge included, and the same outcomes as on the host", async () => {
    const guest = await runOn("debian:6.1");
    expect(new Set(guest.map((r) => r.kernel)).has(release())).toBe(false);
    const ours = nsmatrixOutcomes(guest);
    const hand = handOutcomes(guest);
    expect(Object.values(ours)).not.toContain("skip");
    expect(ours).toEqual(Object.fromEntries(Object.keys(ours).map((k) => [k, hand[k]])));
    for (const [k, want] of Object.entries(EXPECTED)) expect([k, ours[k]]).toEqual([k, want]);
    expect(
      guest.filter((r) => r.scenario !== "cases-by-hand" && r.verdict !== "pass" && r.verdict !== "xfail"),
    ).toEqual([]);
    // Where the host kernel has what a case needs, both kernels see the same.
    const onHost = nsmatrixOutcomes(host);
    const both = Object.keys(onHost).filter((k) => onHost[k] !== "skip");
    expect(Object.fromEntries(both.map((k) => [k, ours[k]]))).toEqual(
      Object.fromEntries(both.map((k) => [k, onHost[k]])),
    );
    expect(runNamespaces()).toEqual([]);
  }, 900_000);
});
