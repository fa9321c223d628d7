// The HTML report in a real browser: Debian's chromium, headless, renders the page (its script
// runs) and the test reads the DOM it dumps.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, isRoot, whyNot } from "./helpers.js";

const hasChromium = spawnSync("chromium", ["--version"]).status === 0;
if (!isRoot || !hasChromium)
  console.warn(
    `skipping the HTML report in chromium: ${isRoot ? "no chromium (apt-get install chromium)" : whyNot}`,
  );
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-html-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The DOM after the page's script ran.
function render(file: string, hash = ""): string {
  const r = spawnSync(
    "chromium",
    ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom", `file://${file}${hash}`],
    { encoding: "utf8", timeout: 60_000 },
  );
  return r.stdout;
}
const cells = (dom: string) => [...dom.matchAll(/<td class="cell ([a-z]+)[^"]*"/g)].map((m) => m[1]);
const hiddenRows = (dom: string) => (dom.match(/<tr [^>]*class="hidden"/g) ?? []).length;

describe.skipIf(!isRoot || !hasChromium)("the HTML report", () => {
  it("shows every cell, coloured by verdict, with its evidence, and filters rows", async () => {
    const json = join(dir, "r.json");
    await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-f", "json", "-o", json]);
    const r = await cli(["report", json, "-f", "html"]);
    const file = join(dir, "matrix.html");
    writeFileSync(file, r.stdout);
    const dom = render(file);
    // Both variants × five checks, one column: ten cells, the wrong ping failed.
    expect(cells(dom)).toHaveLength(10);
    expect(cells(dom).filter((c) => c === "fail")).toHaveLength(1);
    expect(dom).toMatch(
      /<td class="cell fail"[^>]*>reach fail<pre class="evidence">expected no-reach, saw reach\n\$ ip netns exec nsm-[0-9a-f]{8}-a ping/,
    );
    expect(hiddenRows(dom)).toBe(0);
    // The filter, from the link: only the tcp-reset rows stay (one per variant).
    const tcp = render(file, "#filter=tcp-reset");
    expect(hiddenRows(tcp)).toBe(8);
    const failing = render(file, "#verdicts=fail");
    expect(hiddenRows(failing)).toBe(9);
  }, 120_000);
});
