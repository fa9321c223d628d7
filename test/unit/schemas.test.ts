import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../../src/schemas.js";

describe("JSON Schemas for editors", () => {
  it.each(Object.keys(jsonSchemas()))("schemas/%s is up to date (regenerate with npm run schema)", (name) => {
    const committed = JSON.parse(readFileSync(`schemas/${name}`, "utf8"));
    expect(committed).toEqual(jsonSchemas()[name]);
  });

  it("describes bridge port options and forbids unknown keys", () => {
    const topo = jsonSchemas()["topology.schema.json"] as { properties: { nodes: unknown } };
    const text = JSON.stringify(topo);
    expect(text).toContain("reflect frames back out of the port they came in on");
    expect(text).toContain('"additionalProperties":false');
  });
});
