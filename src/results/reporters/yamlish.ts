// A TAP point's YAML block, in the subset every common TAP consumer reads: Perl's prove
// (TAP::Parser::YAMLish, which reads no folded or multi-line quoted scalar and no \u escape),
// the npm tap-parser, Python's tappy. Written by the `yaml` library, told how.
import { Scalar, stringify } from "yaml";
import { visible } from "../../text.js";

// A string that is not plain YAML as it stands is double-quoted on one line, \n and \t escaped;
// other control characters are shown as text (\u escapes are not in the subset).
function scalars(value: unknown): unknown {
  if (typeof value === "string") {
    const text = visible(value);
    if (!/[\n\t"'\\]/.test(text)) return text;
    const s = new Scalar(text);
    s.type = "QUOTE_DOUBLE";
    return s;
  }
  if (Array.isArray(value)) return value.map(scalars);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalars(v)]));
  return value;
}

/** Fields as a YAML block between "---" and "...", indented two spaces under its test point. */
export function yamlishBlock(fields: Record<string, unknown>): string[] {
  const body = stringify(scalars(fields), {
    lineWidth: 0,
    doubleQuotedMinMultiLineLength: Number.POSITIVE_INFINITY,
    doubleQuotedAsJSON: true,
  })
    .trimEnd()
    .split("\n");
  return ["  ---", ...body.map((line) => (line === "" ? line : `  ${line}`)), "  ..."];
}
