// `nsmatrix clean`: remove what runs that died left behind, by name and by process.
import { Command } from "commander";

export function cleanCommand(): Command {
  return new Command("clean")
    .description("remove namespaces, processes, files and containers left by runs that died (nsm-<run>-*)")
    .option("--force", "also remove runs that are still going")
    .option("--dry-run", "only list what would be removed")
    .action(async (o) => {
      const { cleanLeftovers, findContainers, findLeftovers, mountTracefs, removeContainers } = await import(
        "../backends/index.js"
      );
      const { exec, requireRoot } = await import("../system/index.js");
      requireRoot("nsmatrix clean");
      // Containers first: a removed container's scripts die, and leave tracing instances to remove.
      const containers = (await findContainers(exec)).filter((c) => o.force || !c.live);
      if (!o.dryRun) await removeContainers(exec, containers);
      await mountTracefs(exec);
      const found = o.dryRun ? await findLeftovers() : await cleanLeftovers(exec, { force: o.force });
      const verb = o.dryRun ? "found" : "removed";
      console.log(
        `${verb}: ${found.runs.length} runs, ${found.namespaces.length} namespaces, ${found.pids.length} processes, ${found.files.length} files, ${containers.length} containers`,
      );
      for (const n of found.namespaces) console.log(`  netns ${n}`);
      for (const f of found.files) console.log(`  file  ${f}`);
      for (const c of containers) console.log(`  container ${c.name} (run ${c.run})`);
      if (found.live.length)
        console.log(`left alone (still running; --force to remove): ${found.live.join(", ")}`);
    });
}
