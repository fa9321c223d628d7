// `nsmatrix schema`: the JSON Schemas of the file formats and of the results, for editors and tools.
import { Command } from "commander";

export function schemaCommand(): Command {
  return new Command("schema")
    .description("write JSON Schemas of both file formats, for editors")
    .option("-o, --out <dir>", "directory", "schemas")
    .action(async (o) => {
      const { writeSchemas } = await import("../schemas.js");
      for (const f of writeSchemas(o.out)) console.log(`wrote ${f}`);
    });
}
