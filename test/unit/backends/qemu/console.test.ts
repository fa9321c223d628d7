import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scanConsole } from "../../../../src/backends/qemu/console.js";

// Real consoles captured from the Debian 6.1 guest (6.1.0-56-amd64 under TCG): a loud boot (loglevel=7)
// that ran a veth ping job, and a quiet boot whose job wrote `c` to /proc/sysrq-trigger.
const fixture = (name: string) =>
  readFileSync(new URL(`../../../fixtures/console/${name}`, import.meta.url), "utf8");

describe("scanConsole on real guest consoles", () => {
  it("finds nothing in a clean boot", () => {
    expect(scanConsole(fixture("clean-boot-6.1.txt"))).toEqual({ crashed: false, excerpt: "", findings: [] });
  });

  it("reports a sysrq-triggered panic with the lines from the trigger to the call trace", () => {
    const scan = scanConsole(fixture("sysrq-panic-6.1.txt"));
    expect(scan.crashed).toBe(true);
    expect(scan.kind).toBe("panic");
    expect(scan.findings).toEqual([
      { kind: "panic", line: 2, text: "[    1.667390] Kernel panic - not syncing: sysrq triggered crash" },
    ]);
    const excerpt = scan.excerpt.split("\n");
    expect(excerpt[0]).toBe("[    1.666736] sysrq: Trigger a crash");
    expect(excerpt).toHaveLength(18);
    expect(scan.excerpt).toContain("sysrq_handle_crash+0x16/0x20");
  });
});

// Shorter texts in the kernel's own formats, for the kinds a stock kernel cannot be made to print on demand.
const ts = (n: number, s: string) => `[   ${n.toFixed(6)}] ${s}`;
const noise = (from: number, n: number) => Array.from({ length: n }, (_, i) => ts(from + i, `noise ${i}`));
const NULL_DEREF = [
  ts(10, "BUG: kernel NULL pointer dereference, address: 0000000000000008"),
  ts(10.1, "#PF: supervisor read access in kernel mode"),
  ts(10.2, "Oops: 0000 [#1] PREEMPT SMP NOPTI"),
  ts(10.3, "RIP: 0010:br_handle_frame_finish+0x1a/0x5c0 [bridge]"),
];
const WARN = ts(5, "WARNING: CPU: 0 PID: 77 at net/core/dev.c:3277 skb_warn_bad_offload+0x86/0xe0");

describe("scanConsole on the kernel's formats", () => {
  it.each([
    ["an oops after a BUG line is an oops", NULL_DEREF, "oops", true, ["bug", "oops"]],
    [
      "a soft lockup is a BUG",
      [ts(30, "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [ip:120]")],
      "bug",
      true,
      ["bug"],
    ],
    ["a BUG_ON is a BUG", [ts(3, "kernel BUG at net/ipv4/route.c:1234!")], "bug", true, ["bug"]],
    [
      "a general protection fault is an oops",
      [ts(3, "general protection fault: 0000 [#1] SMP")],
      "oops",
      true,
      ["oops"],
    ],
    ["a WARNING alone is recorded, not a crash", [WARN], "warning", false, ["warning"]],
    [
      "a WARNING then a panic is a panic",
      [WARN, ts(5.1, "Kernel panic - not syncing: panic_on_warn set ...")],
      "panic",
      true,
      ["warning", "panic"],
    ],
  ])("%s", (_, lines, kind, crashed, kinds) => {
    const scan = scanConsole([...noise(1, 3), ...lines, ...noise(40, 3)].join("\n"));
    expect({ kind: scan.kind, crashed: scan.crashed }).toEqual({ kind, crashed });
    expect(scan.findings.map((f) => f.kind)).toEqual(kinds);
    expect(scan.findings[0]?.line).toBe(4);
    // Four lines of context before the first finding, the first of them being the text's first line.
    expect(scan.excerpt.split("\n")[0]).toBe(ts(1, "noise 0"));
  });

  it("starts the excerpt at the first crash, not at an unrelated earlier warning", () => {
    const text = [WARN, ...noise(6, 30), ...NULL_DEREF].join("\n");
    const scan = scanConsole(text);
    expect(scan.kind).toBe("oops");
    expect(scan.findings.map((f) => f.kind)).toEqual(["warning", "bug", "oops"]);
    expect(scan.excerpt.split("\n").slice(4, 6)).toEqual(NULL_DEREF.slice(0, 2));
  });

  it("does not take words in user output or module names for findings", () => {
    const text = ["BUGS: none", "[    1.0] mybug: WARNING-free", "[    1.1] Oopsie module loaded"].join("\n");
    expect(scanConsole(text).findings).toEqual([]);
  });
});
