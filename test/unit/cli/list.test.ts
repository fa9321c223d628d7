// `nsmatrix list` needs no root: it only reads the files.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("nsmatrix list", () => {
  it("shows what each check demands beyond an answer", () => {
    const out = execFileSync(
      "node",
      ["bin/nsmatrix.js", "list", "scenarios/multitenant-gateway.yaml", "scenarios/mtgw-lwt-key-flag.yaml"],
      {
        encoding: "utf8",
      },
    );
    expect(out).toContain(
      "    in-t1-ssh  from cl: tcp 2.2.2.11:22, answered by t1-ssh, 4194311 bytes, offloaded on gw, 5 s  (",
    );
    expect(out).toContain("    in-t1-telnet  from cl: tcp 2.2.2.11:23, handshake, 2 s  (");
    expect(out).toContain("    keyed-on-wire  from gw: ping 10.0.0.7, captured on ns1:eth0, 2 s  (");
    expect(out).toContain("    ping-in-t1  from cl: ping 2.2.2.11, 2 s\n");
    expect(out).toContain("  checks, one after the other in this order:\n");
  });

  it("shows a variant's own timeout", () => {
    const out = execFileSync("node", ["bin/nsmatrix.js", "list", "scenarios/box0-bridge-dnat.yaml"], {
      encoding: "utf8",
    });
    expect(out).toContain("    hairpin-static  (checks wait 2.5 s)  hairpin on eth1, and static neighbours");
    expect(out).toContain("    baseline  the topology as it is\n");
  });
});

describe("control characters in a file's free text", () => {
  it("are shown as escapes by list and plan, never sent to the terminal", () => {
    const dir = mkdtempSync(join(tmpdir(), "nsmatrix-esc-"));
    try {
      const topo = join(process.cwd(), "test/fixtures/hostile/_base.topo.yaml");
      const file = join(dir, "esc.yaml");
      writeFileSync(
        file,
        `scenario: esc\ndescription: "clear \\e[2J bell \\a cr \\r end"\ntopology: ${topo}\nchecks:\n  c1: { from: r1, ping: 10.0.0.2, description: "\\e]0;title\\a" }\n`,
      );
      for (const cmd of ["list", "plan"]) {
        const out = execFileSync("node", ["bin/nsmatrix.js", cmd, file], { encoding: "utf8" });
        expect(out.includes("\u001b") || out.includes("\u0007") || out.includes("\r")).toBe(false);
        expect(out).toContain("clear \\x1b[2J bell \\x07 cr \\x0d end");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
