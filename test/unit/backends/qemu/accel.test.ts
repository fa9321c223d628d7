import { describe, expect, it } from "vitest";
import { accelChooser, type KvmProbe } from "../../../../src/backends/qemu/accel.js";

// A probe like a KVM guest on this machine: it never prints its marker, and stops only when aborted.
const hanging = (): { probe: KvmProbe; aborted: () => boolean } => {
  let aborted = false;
  const probe: KvmProbe = (signal) =>
    new Promise((_, reject) => {
      signal.addEventListener("abort", () => {
        aborted = true;
        reject(new Error("killed"));
      });
    });
  return { probe, aborted: () => aborted };
};

describe("accelChooser", () => {
  it("falls back to TCG within the timeout when the KVM probe hangs, and stops the probe", async () => {
    const choose = accelChooser(200);
    const { probe, aborted } = hanging();
    const t0 = performance.now();
    expect(await choose("auto", probe)).toEqual({ accel: "tcg", why: "KVM probe timed out after 0.2 s" });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(aborted()).toBe(true);
  });

  it.each([
    ["the probe guest ran", async () => true, { accel: "kvm", why: "KVM probe guest ran" }],
    ["the probe guest failed", async () => false, { accel: "tcg", why: "KVM probe failed" }],
    [
      "the probe threw",
      async () => {
        throw new Error("no /dev/kvm");
      },
      { accel: "tcg", why: "KVM probe failed: no /dev/kvm" },
    ],
  ])("picks by the probe in auto mode when %s", async (_, probe, expected) => {
    expect(await accelChooser(1000)("auto", probe)).toEqual(expected);
  });

  it("probes once per chooser and reuses the answer", async () => {
    let calls = 0;
    const choose = accelChooser(1000);
    const probe: KvmProbe = async () => {
      calls++;
      return true;
    };
    await Promise.all([choose("auto", probe), choose("auto", probe)]);
    expect((await choose("auto", probe)).accel).toBe("kvm");
    expect(calls).toBe(1);
  });

  it.each(["kvm", "tcg"] as const)("uses %s without probing when asked for it", async (mode) => {
    const { probe } = hanging();
    expect((await accelChooser(1000)(mode, probe)).accel).toBe(mode);
  });
});
