// `nsmatrix list` needs no root: it only reads the files.
import { execFileSync } from "node:child_process";
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
    expect(out).toContain("    in-t1-ssh  from cl: tcp 2.2.2.11:22, 4194311 bytes, offloaded on gw  (");
    expect(out).toContain("    keyed-on-wire  from gw: ping 10.0.0.7, captured on ns1:eth0  (");
    expect(out).toContain("    ping-in-t1  from cl: ping 2.2.2.11\n");
  });
});
