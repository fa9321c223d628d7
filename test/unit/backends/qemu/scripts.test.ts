import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { agentScript } from "../../../../src/backends/qemu/agent.js";
import { initScript } from "../../../../src/backends/qemu/init.js";
import { qemuArgs } from "../../../../src/backends/qemu/machine.js";

// `sh -n` reads the script from stdin and only parses it; it throws on a syntax error.
const syntaxOk = (sh: string[], text: string) =>
  execFileSync(sh[0] ?? "sh", [...sh.slice(1), "-n"], { input: text, stdio: "pipe" });

const init = initScript({
  modules: ["lib/00-virtio.ko", "lib/01-9p.ko"],
  modulesAt: "/usr/lib/modules",
  msize: 512000,
  hot: "hot",
});
const agent = agentScript(
  [
    { file: "job-1", run: "0123abcd" },
    { file: "job-2", run: "89ef4567" },
  ],
  2.5,
);

describe("the guest's /init and agent", () => {
  it("are valid sh for busybox (/init) and the host's /bin/sh (agent)", () => {
    expect(() => syntaxOk(["/bin/busybox", "sh"], "if then")).toThrow();
    syntaxOk(["/bin/busybox", "sh"], init);
    syntaxOk(["/bin/sh"], agent);
  });

  it("/init mounts the kernel's modules where the host root keeps them and hands over to the agent", () => {
    expect(init).toContain("nsmmods /root/usr/lib/modules");
    expect(init.trimEnd().split("\n").at(-1)).toBe("exec switch_root /root /bin/sh /nsm/agent.sh");
  });

  it("/init copies the hot files into the overlay's upper layer before mounting the overlay", () => {
    const lines = init.split("\n");
    const copy = lines.findIndex((l) => l.startsWith("cp -a /hot/. /rw/upper/"));
    expect(copy).toBeGreaterThan(lines.findIndex((l) => l.includes("mkdir /rw/upper /rw/work")));
    expect(copy).toBeLessThan(lines.findIndex((l) => l.startsWith("mount -t overlay")));
  });

  it("the agent runs each job with its own NSM_RUN and the timeout scale, recording exit code and duration", () => {
    const lines = agent.split("\n");
    expect(lines.filter((l) => l.includes("job-")).map((l) => l.trim())).toEqual([
      "NSM_RUN=0123abcd NSM_TIMEOUT_SCALE=2.5 sh /nsm/job-1.sh </dev/null >/nsm/job-1.tap 2>/nsm/job-1.err",
      "echo $? >/nsm/job-1.rc",
      "echo $(($(ms) - t)) >/nsm/job-1.ms",
      "NSM_RUN=89ef4567 NSM_TIMEOUT_SCALE=2.5 sh /nsm/job-2.sh </dev/null >/nsm/job-2.tap 2>/nsm/job-2.err",
      "echo $? >/nsm/job-2.rc",
      "echo $(($(ms) - t)) >/nsm/job-2.ms",
    ]);
    // One at a time by default: each job in a subshell, then wait.
    expect(lines.filter((l) => l === "wait")).toHaveLength(2);
  });

  it("runs jobs several at a time when asked, waiting after each group", () => {
    const jobs = ["job-1", "job-2", "job-3"].map((file, i) => ({ file, run: `0000000${i}` }));
    const lines = agentScript(jobs, 1, 2).split("\n");
    const shape = lines
      .filter((l) => l === "wait" || l.includes(".sh </dev/null"))
      .map((l) => (l === "wait" ? "wait" : "job"));
    expect(shape).toEqual(["job", "job", "wait", "job", "wait"]);
    syntaxOk(["/bin/sh"], agentScript(jobs, 1, 2));
    expect(lines.at(-2)).toBe("while :; do read -r _ </run/nsm-hold; done");
  });

  it.each([
    [[{ file: "job-1", run: "XYZ" }], 1, "NSM_RUN must be 8 lowercase hex digits: XYZ"],
    [[{ file: "a b", run: "0123abcd" }], 1, "bad job file name a b"],
    [[], 0, "bad timeout scale 0"],
  ])("the agent refuses unsafe input (%j, scale %s)", (jobs, scale, message) => {
    expect(() => agentScript(jobs, scale)).toThrow(message);
  });
});

describe("qemuArgs", () => {
  const base = { image: "/c/vmlinux", initrd: "/c/initrd.gz", console: "/j/console.log" };

  it("boots q35 under TCG with the max CPU, no reboot, the console in a file and three 9p shares", () => {
    const args = qemuArgs({ ...base, accel: "tcg", shares: { root: "/", modules: "/m", job: "/j/share" } });
    expect(args.slice(0, 6)).toEqual(["-M", "q35", "-accel", "tcg", "-cpu", "max"]);
    expect(args).toContain("-no-reboot");
    expect(args[args.indexOf("-serial") + 1]).toBe("file:/j/console.log");
    expect(args.filter((a) => a.startsWith("virtio-9p-pci"))).toEqual([
      "virtio-9p-pci,fsdev=root,mount_tag=nsmroot",
      "virtio-9p-pci,fsdev=mods,mount_tag=nsmmods",
      "virtio-9p-pci,fsdev=job,mount_tag=nsmjob",
    ]);
    expect(args.filter((a) => a.includes("readonly=on"))).toHaveLength(2);
  });

  it("uses the host CPU under KVM and appends extra kernel words after its own", () => {
    const args = qemuArgs({ ...base, accel: "kvm", append: "nsm.probe" });
    expect(args.slice(2, 6)).toEqual(["-accel", "kvm", "-cpu", "host"]);
    expect(args[args.indexOf("-append") + 1]).toMatch(/^console=ttyS0 .*panic=-1.* nsm\.probe$/);
  });
});
