// Writes JSON Schemas of the topology and scenario formats, generated from the zod schemas.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Scenario, Topology } from "./model/index.js";
import { ResultsDocument } from "./results/index.js";

/** The two JSON Schemas, keyed by file name. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    "topology.schema.json": z.toJSONSchema(Topology, { io: "input", unrepresentable: "any" }),
    "scenario.schema.json": z.toJSONSchema(Scenario, { io: "input", unrepresentable: "any" }),
    "results.schema.json": z.toJSONSchema(ResultsDocument, { io: "output", unrepresentable: "any" }),
  };
}

/** Writes both schemas into `dir`; returns the paths written. */
export function writeSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(jsonSchemas()).map(([name, schema]) => {
    const path = join(dir, name);
    writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
    return path;
  });
}
