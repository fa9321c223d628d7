// The topologies drawn as SVG for the HTML report, by Graphviz compiled to WebAssembly
// (@viz-js/viz): at report time, inside this process, never fetched by the page.
import type { RunReport } from "../types.js";

/** Each scenario's topology as an SVG element, from the report's dot; none when there is no dot. */
export async function drawTopologies(report: RunReport): Promise<Record<string, string>> {
  const dots = Object.entries(report.dot ?? {});
  if (dots.length === 0) return {};
  // Loaded only here: the WebAssembly costs start-up time every other command should not pay.
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  const svgs: Record<string, string> = {};
  for (const [scenario, dot] of dots) {
    const r = viz.render(dot, { format: "svg" });
    // The XML prolog and doctype are for a file; inside HTML only the <svg> element belongs.
    if (r.status === "success") svgs[scenario] = r.output.slice(r.output.indexOf("<svg"));
  }
  return svgs;
}
