// A script check's own results as subtests (nsm_nest): net selftests' "TEST: … [ OK ]" lines,
// captured from the fixtures' real runs on the host and in guests, and KTAP; and a selftest's
// config file against the kernel's (nsm_kconfig). Run by sh itself, no root.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KINDS } from "../../../src/checks/index.js";
import { RUNTIME } from "../../../src/compile/runtime.js";
import { observationsFromTap } from "../../../src/results/index.js";

const ALL = [RUNTIME, ...Object.values(KINDS).map((k) => k.stageShell)].join("\n");
const OUTPUT = "test/fixtures/selftest-output";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nsmatrix-nest-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sh = (body: string) =>
  execFileSync("sh", ["-c", `${ALL}\nT="$D"\n${body}\n`], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", D: dir },
    encoding: "utf8",
  });

/** The script's output through nsm_nest and a passing report, then read back as nsmatrix reads it. */
function nested(output: string) {
  writeFileSync(join(dir, "c1.out"), output);
  writeFileSync(join(dir, "c1.rc"), "0\n");
  const tap = sh(
    "echo 'TAP version 13'; echo 1..1; nsm_nest 1 t; nsm_report 1 t kind=script timeout=9 expect=reach command=x; nsm_report_end t",
  );
  const [o] = observationsFromTap({ tap, exitCode: 0, timedOut: false, stderr: "", durationMs: 1 }, ["t"]);
  return { tap, subtests: o?.status === "observed" ? (o.evidence.subtests ?? []) : [] };
}

const row = (t: { name: string; ok: boolean; directive?: string }) =>
  `${t.ok ? "ok" : "not ok"} ${t.name}${t.directive ? ` # ${t.directive}` : ""}`;

describe("net selftests' TEST: lines as subtests", () => {
  it.each(readdirSync(OUTPUT).filter((f) => f.endsWith(".txt") && f !== "formats.txt"))(
    "reads every TEST: line of %s, in order, with its result",
    (file) => {
      const text = readFileSync(join(OUTPUT, file), "utf8");
      const lines = [...text.matchAll(/^\s*TEST: (.*?)\s+\[\s*(OK|FAIL|SKIP)\s*\]$/gm)];
      const { subtests } = nested(text);
      expect(subtests.map(row)).toEqual(
        lines.map(([, name, r]) =>
          r === "OK" ? `ok ${name}` : r === "SKIP" ? `ok ${name} # SKIP` : `not ok ${name}`,
        ),
      );
      expect(subtests.length).toBeGreaterThanOrEqual(4);
    },
  );

  it("tells each result apart, and leaves lines that only look like one as comments", () => {
    const { tap, subtests } = nested(readFileSync(join(OUTPUT, "formats.txt"), "utf8"));
    expect(subtests.map(row)).toEqual([
      "ok a case flush left",
      "not ok a case indented by a tab's worth",
      "ok a case known to fail here # XFAIL",
      "ok a case that needs a device # SKIP",
      "not ok a case that passed but should not # XPASS",
      "ok a case with # a hash in its name",
    ]);
    expect(tap).toContain("    # not a result: TEST: in the middle of a line");
    expect(tap).toMatch(/^ {4}# +TEST:tight spacing \[ OK \]$/m);
    expect(tap).toMatch(/^ {4}1\.\.6$/m);
  });

  it("prefers the script's own TAP or KTAP when it prints both", () => {
    const { subtests } = nested(
      "KTAP version 1\n1..2\n    TEST: a line beside KTAP                  [FAIL]\nok 1 first\nnot ok 2 second # SKIP no device\n",
    );
    expect(subtests.map(row)).toEqual(["ok first", "not ok second # SKIP"]);
  });

  it("nests nothing for a script that printed nothing", () => {
    expect(nested("").tap).not.toContain("Subtest");
  });
});

describe("a selftest's config file against the kernel's (nsm_kconfig)", () => {
  const kconfig = "CONFIG_NET_NS=y\nCONFIG_VETH=m\n# CONFIG_NET_VRF is not set\nCONFIG_HZ=250\n";
  const check = (...want: string[]) => {
    writeFileSync(join(dir, "kconfig"), kconfig);
    return sh(`nsm_kconfig ${want.map((w) => `'${w}'`).join(" ")} && echo met || echo "status $?"`);
  };

  it("meets y or m by either, and any other value by itself", () => {
    expect(check("CONFIG_NET_NS=m", "CONFIG_VETH=y", "CONFIG_HZ=250")).toBe("met\n");
  });

  it("names each option the kernel lacks, and what it has instead", () => {
    expect(check("CONFIG_NET_VRF=m", "CONFIG_VETH=y", "CONFIG_HZ=1000")).toBe(
      "kernel lacks CONFIG_NET_VRF (wants m), CONFIG_HZ=250 (wants 1000), which the config beside the script asks for\nstatus 1\n",
    );
  });

  it("checks nothing when the kernel's config cannot be read", () => {
    writeFileSync(join(dir, "kconfig"), "");
    expect(sh("nsm_kconfig CONFIG_NEVER=y && echo met")).toBe("met\n");
  });
});
