// Where a check's packets died: the trace text of real kernels, as the script captured it.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dropText, parseDrops, reasonNames, symbolNames } from "../../../src/checks/index.js";
import { observationsFromTap } from "../../../src/results/index.js";

const DIR = "test/fixtures/drops";
const CHECKS = ["gateway", "cmd1", "cmd1-handshake", "cmd2", "bridged"];

// Box0 baseline, run by `nsmatrix run` on each kernel (the script's own TAP, kept whole).
const evidence = (file: string, check: string) => {
  const tap = readFileSync(`${DIR}/${file}`, "utf8");
  const obs = observationsFromTap({ tap, exitCode: 0, timedOut: false, stderr: "", durationMs: 0 }, CHECKS);
  const o = obs.find((x) => x.check === check);
  if (o?.status !== "observed") throw new Error(`${check} not observed in ${file}`);
  return o.evidence;
};

describe("drops in the trace of Box0 CMD1 on each kernel", () => {
  it.each([
    // 5.10: the event prints a raw address and has no reason yet; the script looked it up in kallsyms.
    ["box0-baseline-5.10.0-32-amd64.tap", [{ location: "br_handle_frame_finish", count: 1 }]],
    // 6.1: %p is hashed, so a hist trigger's .sym named it, and its format named reason 1.
    [
      "box0-baseline-6.1.0-50-amd64.tap",
      [{ location: "br_handle_frame_finish", reason: "NOT_SPECIFIED", count: 1 }],
    ],
    // 6.12 and 6.18 print the symbol (%pS) and the reason by name.
    [
      "box0-baseline-6.12.117+deb13-amd64.tap",
      [{ location: "br_handle_frame_finish", reason: "NOT_SPECIFIED", count: 1 }],
    ],
    [
      "box0-baseline-6.18.44-fc-v669.tap",
      [{ location: "br_handle_frame_finish", reason: "NOT_SPECIFIED", count: 1 }],
    ],
  ])("%s: CMD1's SYN died in the bridge", (file, drops) => {
    const e = evidence(file, "cmd1");
    expect(e.stage).toBe("syn-timeout");
    expect(e.drops?.filter((d) => !d.softirq)).toEqual(drops);
  });

  it("has a fixture from every kernel the README's matrix names", () => {
    expect(readdirSync(DIR).map((f) => /box0-baseline-(\d+\.\d+)/.exec(f)?.[1])).toEqual(
      expect.arrayContaining(["5.10", "6.1", "6.12", "6.18"]),
    );
  });

  it("traces nothing for checks that reached: only a check that should have got through and did not", () => {
    for (const f of readdirSync(DIR)) {
      expect(evidence(f, "gateway").drops).toBeUndefined();
      expect(evidence(f, "cmd2").drops).toBeUndefined();
    }
  });
});

describe("parseDrops", () => {
  const line = (task: string, loc: string, reason = "NOT_SPECIFIED") =>
    `${task} [000] ..s1. 1.0: kfree_skb: skbaddr=00000000d58bed16 rx_sk=0000000000000000 protocol=2048 location=${loc}+0x380/0x670 reason: ${reason}`;

  it("counts a free in softirq context with the check's own where one of its processes' packets died", () => {
    const trace = [
      line("socat-10532", "br_handle_frame_finish"),
      // The SYN's retransmission, from the TCP timer: the same place, in softirq context.
      line("<idle>-0", "br_handle_frame_finish"),
      line("ksoftirqd/0-14", "ip_rcv_finish_core"),
      line("<idle>-0", "ip_rcv_finish_core"),
    ].join("\n");
    expect(parseDrops(trace).map(dropText)).toEqual([
      "dropped at br_handle_frame_finish (NOT_SPECIFIED) ×2",
      // Only ever in softirq: another check's late packets, perhaps; kept apart, and said so.
      "dropped at ip_rcv_finish_core (NOT_SPECIFIED) ×2 in softirq",
    ]);
  });

  it("removes the IPv6 multicast nobody joined", () => {
    expect(parseDrops([line("ip-7", "ip6_mc_input"), line("ip-7", "ip6_mc_input")].join("\n"))).toEqual([]);
  });

  it("merges hist entries by place and reason, names reasons from the kernel's format, and keeps the task", () => {
    const format =
      readFileSync(`${DIR}/box0-baseline-6.1.0-50-amd64.tap`, "utf8").match(/drop_format: '(.*)'/)?.[1] ?? "";
    expect(reasonNames(format).get(1)).toBe("NOT_SPECIFIED");
    expect(reasonNames(format).get(7)).toBe("NETFILTER_DROP");
    const hist = [
      "{ common_pid: socat           [       177], location: [ffffffffc0317e4a] br_handle_frame_finish+0x3fa/0x5b0 [bridge]            , reason:          1 } hitcount:          1",
      "{ common_pid: <idle>          [         0], location: [ffffffffc0317e4a] br_handle_frame_finish+0x3fa/0x5b0 [bridge]            , reason:          1 } hitcount:          2",
      "{ common_pid: socat           [       177], location: [ffffffff81a0c2b1] nf_hook_slow+0x91/0xb0                                , reason:          7 } hitcount:          3",
    ].join("\n");
    expect(parseDrops(hist, format)).toEqual([
      { location: "br_handle_frame_finish", reason: "NOT_SPECIFIED", count: 3 },
      { location: "nf_hook_slow", reason: "NETFILTER_DROP", count: 3 },
    ]);
  });

  it("names a raw address by the script's kallsyms look-up, and leaves an unknown one as it is", () => {
    const trace = [
      "socat-170     [000] ..s1     8.476272: kfree_skb: skbaddr=ffff88801ff4cae0 protocol=2048 location=ffffffffc00e914e",
      "socat-170     [000] ..s1     8.476272: kfree_skb: skbaddr=ffff88801ff4cae0 protocol=2048 location=ffffffff81000001",
    ].join("\n");
    const symbols = "    ffffffffc00e914e br_handle_frame_finish [bridge]\n";
    expect(symbolNames(symbols).get("ffffffffc00e914e")).toBe("br_handle_frame_finish");
    expect(parseDrops(trace, "", symbols)).toEqual([
      { location: "br_handle_frame_finish", count: 1 },
      { location: "ffffffff81000001", count: 1 },
    ]);
  });

  it("reads nothing from lines that are not frees", () => {
    expect(parseDrops("# tracer: nop\n#\n\nTotals:\n    Hits: 2\n")).toEqual([]);
  });
});
