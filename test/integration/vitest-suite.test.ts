// A project's own vitest suite, written with nsmatrix/vitest as the README shows: the checks of
// a scenario × kernels become tests of this suite. (Imports the package by its name: the build.)
// Then a suite with a wrong expectation, run by vitest in a child process as root and as nobody:
// the failure's message carries the evidence, each test lasts as long as its check did in the
// run, and without root every test skips, saying why.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { nsmatrixSuite } from "nsmatrix/vitest";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, whyNot } from "./helpers.js";

if (isRoot) {
  nsmatrixSuite(["test/fixtures/scenarios/two-hosts.yaml"], { kernels: ["host"], variants: ["plain"] });
} else {
  describe.skip("nsmatrix/vitest", () => it(whyNot, () => {}));
}

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: string;
  duration?: number;
  failureMessages: string[];
}
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-suite-"));
// nobody writes its report here too.
chmodSync(dir, 0o777);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A project's suite with one wrong expectation: variant "wrong" expects no-reach where ping reaches.
// It lives in its own folder, the root of its own vitest run, which nobody may write to as well.
// Its progress keeps each check's own duration, from the run's results, beside vitest's report.
const checkTimes = join(dir, "checks.jsonl");
writeFileSync(
  join(dir, "two-hosts.spec.mjs"),
  `import { appendFileSync } from "node:fs";
import { nsmatrixSuite } from ${JSON.stringify(resolve("dist/vitest.js"))};
const onProgress = (e) => e.kind === "check-done" && appendFileSync(${JSON.stringify(checkTimes)},
  JSON.stringify({ check: e.result.check, ms: e.result.evidence?.durationMs }) + "\\n");
nsmatrixSuite([${JSON.stringify(resolve("test/fixtures/scenarios/two-hosts.yaml"))}], { kernels: ["host"], variants: ["wrong"], onProgress });
`,
);

// Runs that suite (as `user` when given) and returns its tests as vitest's JSON reporter has them.
async function suite(user?: string): Promise<Assertion[]> {
  const out = join(dir, `${user ?? "root"}.json`);
  const vitest = [resolve("node_modules/.bin/vitest"), "run", "--root", dir, "--testTimeout", "120000"];
  const args = [...vitest, "--reporter=json", `--outputFile=${out}`];
  const cmd = user ? ["runuser", "-u", user, "--", ...args] : args;
  // Not this run's vitest variables: the child is a run of its own.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|VITE_|NODE_OPTIONS|TEST$)/.test(k)),
  );
  const r = await execa(cmd[0] as string, cmd.slice(1), { reject: false, env, extendEnv: false });
  if (!existsSync(out)) throw new Error(`vitest wrote no report:\n${r.stderr}\n${r.stdout}`);
  const json = JSON.parse(readFileSync(out, "utf8"));
  return json.testResults.flatMap((f: { assertionResults: Assertion[] }) => f.assertionResults);
}

describe.skipIf(!isRoot)("a project's suite with nsmatrix/vitest", () => {
  it("fails the wrong check with the evidence as its message, and passes the rest", async () => {
    const tests = await suite();
    expect(tests.map((t) => [...t.ancestorTitles, t.title, t.status])).toEqual([
      ["two-hosts", "wrong [host]", "ping", "failed"],
      ["two-hosts", "wrong [host]", "tcp", "passed"],
      ["two-hosts", "wrong [host]", "tcp-reset", "passed"],
      ["two-hosts", "wrong [host]", "udp", "passed"],
      ["two-hosts", "wrong [host]", "udp-dropped", "passed"],
    ]);
    expect(tests[0]?.failureMessages[0]).toMatch(
      /^Error: FAIL two-hosts\/wrong\/ping \[[^\]]+\]: expected no-reach, saw reach\n {2}\$ ip netns exec nsm-[0-9a-f]{8}-a ping [^\n]+\n {2}exit 0 after \d+ ms/,
    );
  }, 180_000);

  // Each test ends when its check's point does, and begins after the set-up and the previous
  // check: it lasts at least its check, and not much more (its report and drop trace).
  it("times each test as its check: a dropped UDP check's 0.5 s wait, a ping's milliseconds", async () => {
    rmSync(checkTimes, { force: true });
    const tests = await suite();
    const own = new Map(
      readFileSync(checkTimes, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { check: string; ms: number })
        .map((c) => [c.check, c.ms]),
    );
    for (const t of tests) {
      const ms = own.get(t.title) as number;
      expect(t.duration, t.title).toBeGreaterThanOrEqual(ms - 20);
      expect(t.duration, t.title).toBeLessThan(ms + 1500);
    }
    const took = (name: string) => tests.find((t) => t.title === name)?.duration as number;
    expect(took("udp-dropped")).toBeGreaterThanOrEqual(500);
    expect(took("ping")).toBeLessThan(500);
  }, 180_000);

  it("skips every test, saying why, when not run as root", async () => {
    const tests = await suite("nobody");
    expect(tests).toHaveLength(5);
    expect(new Set(tests.map((t) => t.status))).toEqual(new Set(["skipped"]));
  }, 180_000);
});
