// The package as a user gets it: packed from this tree, installed in a scratch folder, run there.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { isRoot, jsonOf, whyNot } from "./helpers.js";

if (!isRoot) console.warn(`skipping the installed package's run: ${whyNot}`);

const scratch = mkdtempSync(join(tmpdir(), "nsmatrix-package-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!isRoot)("the packed tarball", () => {
  it("installs, and its nsmatrix and its API run a scenario on the host kernel", async () => {
    // prepack builds dist/, so a pack of a clean clone has it.
    const pack = await execa("npm", ["pack", "--silent", "--pack-destination", scratch]);
    const tarball = join(scratch, pack.stdout.trim().split("\n").at(-1) ?? "");
    const app = join(scratch, "app");
    await execa("mkdir", [app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    await execa("npm", ["install", "--no-audit", "--no-fund", tarball], { cwd: app });
    const installed = join(app, "node_modules", "nsmatrix");
    const r = await execa(
      "npx",
      [
        "nsmatrix",
        "run",
        join(installed, "scenarios", "box0-bridge-dnat.yaml"),
        "-v",
        "baseline",
        "-f",
        "json",
      ],
      { cwd: app, reject: false },
    );
    expect(r.stderr).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    const results = jsonOf(r).results as { check: string; verdict: string }[];
    expect(Object.fromEntries(results.map((x) => [x.check, x.verdict]))).toEqual({
      gateway: "pass",
      cmd1: "xfail",
      "cmd1-handshake": "xfail",
      cmd2: "pass",
      bridged: "pass",
    });
    writeFileSync(
      join(app, "api.mjs"),
      `import { defineTopology, defineScenario, run } from "nsmatrix";
const topology = defineTopology({
  nodes: {
    a: { interfaces: { eth0: { addresses: ["10.9.0.1/24"] } } },
    b: { interfaces: { eth0: { addresses: ["10.9.0.2/24"] } } },
  },
  links: [["a:eth0", "b:eth0"]],
});
const scenario = defineScenario({ scenario: "pair", topology, checks: { ping: { from: "a", ping: "10.9.0.2" } } });
const report = await run([scenario], { kernels: ["host"] });
console.log(report.results.map((r) => r.check + " " + r.verdict).join("\\n"));
`,
    );
    const api = await execa("node", ["api.mjs"], { cwd: app });
    expect(api.stdout).toBe("ping pass");
    // What a TypeScript project sees: every export the docs show, checked with strict against the
    // installed declarations (vitest and Node's types as the project would have them).
    copyFileSync("test/fixtures/consumer/consumer.ts", join(app, "consumer.ts"));
    for (const dep of ["vitest", "@types/node"]) {
      mkdirSync(dirname(join(app, "node_modules", dep)), { recursive: true });
      symlinkSync(resolve("node_modules", dep), join(app, "node_modules", dep));
    }
    const tsc = await execa(
      resolve("node_modules/.bin/tsc"),
      [
        "--strict",
        "--noEmit",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--types",
        "node",
        "consumer.ts",
      ],
      { cwd: app, reject: false },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    // testcontainers (and its native cpu-features build) is an optional peer: not installed.
    expect(existsSync(join(app, "node_modules", "testcontainers"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "cpu-features"))).toBe(false);
    // Source maps carry their sources: a stack into nsmatrix reads as its TypeScript.
    const map = JSON.parse(readFileSync(join(installed, "dist", "vitest.js.map"), "utf8"));
    expect(map.sourcesContent?.[0]).toMatch(/export function nsmatrixSuite/);
  }, 300_000);
});
