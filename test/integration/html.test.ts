// The HTML report in a real browser: Debian's chromium, headless, driven by puppeteer-core. The
// test reads the rendered DOM and a screenshot, at 1400 and at 800 px wide: the banner, the
// legend and the failure's evidence are on the first screen, the topology is an SVG, nothing
// spills sideways, and the filter matches only what a row shows.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERDICTS } from "../../src/results/index.js";
import { VERDICT_LOOK } from "../../src/results/reporters/html-assets.js";
import { cli, isRoot, whyNot } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = spawnSync(CHROMIUM, ["--version"]).status === 0;
if (!isRoot || !hasChromium)
  console.warn(
    `skipping the HTML report in chromium: ${isRoot ? "no chromium (apt-get install chromium)" : whyNot}`,
  );
const dir = mkdtempSync(join(tmpdir(), "nsmatrix-html-"));
// NSM_SCREENSHOTS=folder keeps the screenshots (the notes attach them).
const shots = process.env.NSM_SCREENSHOTS;

const hex = (c: string) => [1, 3, 5].map((i) => Number.parseInt(c.slice(i, i + 2), 16));

// How many pixels of the screenshot have exactly this colour.
function pixelsOf(png: PNG, colour: string): number {
  const [r, g, b] = hex(colour);
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
  return n;
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  width: number;
  height: number;
}
const box = (page: Page, selector: string) =>
  page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
  }) as Promise<Box>;

describe.skipIf(!isRoot || !hasChromium)("the HTML report in chromium", () => {
  let browser: Browser;
  let file: string;
  beforeAll(async () => {
    const json = join(dir, "r.json");
    await cli(["run", "test/fixtures/scenarios/two-hosts.yaml", "-f", "json", "-o", json]);
    const r = await cli(["report", json, "-f", "html"]);
    file = join(dir, "matrix.html");
    writeFileSync(file, r.stdout);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(width: number, hash = ""): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    await page.goto(`file://${file}${hash}`);
    return page;
  }

  for (const width of [1400, 800]) {
    it(`at ${width} px: banner, legend and the failure's evidence on the first screen; the topology as SVG; nothing spills sideways`, async () => {
      const page = await open(width);
      // The run has one wrong expectation: the banner says so, in red.
      expect(await page.$eval("#banner h1", (e) => e.textContent)).toBe("✗ Not as expected: 1 of 10 results");
      expect(await page.$eval("#banner", (e) => getComputedStyle(e).backgroundColor)).toBe(
        "rgb(198, 40, 40)",
      );
      const legend = await box(page, "#legend");
      expect(legend.top).toBeLessThan(900);
      expect(await page.$$eval("#legend dt", (dts) => dts.map((d) => d.textContent))).toEqual(
        VERDICTS.map((v) => `${VERDICT_LOOK[v].icon} ${v}`),
      );
      // The failure is open, and its evidence (the ping that reached) shows on the first screen.
      const failure = await page.$eval("#failures details.failure", (d) => ({
        open: (d as HTMLDetailsElement).open,
        head: d.querySelector("summary")?.textContent,
        evidence: d.querySelector("pre")?.textContent,
      }));
      expect(failure.open).toBe(true);
      expect(failure.head).toMatch(/^✗ FAIL two-hosts\/wrong\/ping \[/);
      expect(failure.evidence).toMatch(
        /^expected no-reach, saw reach\n\$ ip netns exec nsm-[0-9a-f]{8}-a ping/,
      );
      expect((await box(page, "#failures pre")).top).toBeLessThan(900);
      expect((await box(page, "#failures")).top).toBeLessThan((await box(page, "#matrix")).top);
      // The topology, drawn at report time: an SVG with the two nodes in it.
      const svg = await box(page, "#topologies svg");
      expect(svg.width).toBeGreaterThan(50);
      expect(await page.$eval("#topologies svg", (s) => s.textContent)).toMatch(/a[\s\S]*b/);
      // The page never scrolls sideways: a wide matrix scrolls inside its own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const filter = await box(page, "#filter");
      expect(filter.right).toBeLessThanOrEqual(width);
      // The screenshot: the banner's red across the top, and every verdict's colour in the legend.
      const shot = Buffer.from(await page.screenshot());
      const png = PNG.sync.read(shot);
      expect(png.width).toBe(width);
      expect(pixelsOf(png, "#c62828")).toBeGreaterThan(width * 40);
      for (const [v, look] of Object.entries(VERDICT_LOOK))
        expect(pixelsOf(png, look.bg), `${v}'s colour on screen`).toBeGreaterThan(100);
      if (shots) {
        mkdirSync(shots, { recursive: true });
        writeFileSync(join(shots, `report-${width}.png`), shot);
        writeFileSync(
          join(shots, `report-${width}-full.png`),
          Buffer.from(await page.screenshot({ fullPage: true })),
        );
      }
      await page.close();
    }, 60_000);
  }

  it("one row per check under its scenario's heading; the filter matches what rows show, and says when none does", async () => {
    const page = await open(1400);
    const visibleRows = () =>
      page.$$eval("tr.row", (trs) => trs.filter((t) => (t as HTMLElement).offsetParent !== null).length);
    expect(await page.$$eval("tr.group th", (ths) => ths.map((t) => t.textContent))).toEqual([
      "two-hosts (10 checks)",
    ]);
    expect(await visibleRows()).toBe(10);
    expect(await page.$$eval("td.cell", (tds) => tds.map((t) => t.className))).toContain("cell v-fail");
    // Each cell has its duration.
    expect(await page.$$eval("td.cell .dur", (ds) => ds.length)).toBe(10);
    await page.type("#filter", "tcp-reset");
    expect(await visibleRows()).toBe(2);
    expect(await page.$eval("#no-results", (p) => (p as HTMLElement).hidden)).toBe(true);
    // "netns" is in every cell's evidence (the command), and in no row's own text.
    await page.$eval("#filter", (i) => {
      (i as HTMLInputElement).value = "netns";
      i.dispatchEvent(new Event("input"));
    });
    expect(await visibleRows()).toBe(0);
    expect(await page.$eval("#no-results", (p) => (p as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval("tbody.scenario", (t) => t.classList.contains("hidden"))).toBe(true);
    await page.close();
    // The filter from a link: only the failing row.
    const failing = await open(1400, "#verdicts=fail");
    expect(
      await failing.$$eval("tr.row", (trs) =>
        trs.filter((t) => (t as HTMLElement).offsetParent !== null).map((t) => t.textContent?.slice(0, 9)),
      ),
    ).toEqual(["wrongping"]);
    await failing.close();
  }, 60_000);
});
