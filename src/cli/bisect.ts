// `nsmatrix bisect`: the first kernel, along an ordered list, where a check's outcome changes.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { NsmError } from "../errors.js";
import type { ScenarioModel } from "../model/index.js";
import type { BisectOutcome, BisectStep, Probe } from "../run/index.js";
import { defaultCacheDir } from "../system/paths.js";
import { list, positiveInt, scale } from "./options.js";

/** The bisect command's exit status: found, or not (the ends agree, or cannot tell). */
export const BISECT_EXIT = { found: 0, same: 1, "cannot-tell": 1 } as const;

// The variant and check a --check names: `variant/check`, or a check with -v or in one variant.
function target(sc: ScenarioModel, check: string, variant?: string): { variant: string; check: string } {
  const [v, c] = check.includes("/") ? check.split("/", 2) : [variant, check];
  const having = sc.variants.filter((x) => x.checks.some((k) => k.name === c)).map((x) => x.name);
  if (!having.length)
    throw new NsmError(
      "E_USAGE",
      `--check ${check}: no such check in ${sc.file} (checks: ${sc.checks.map((k) => k.name).join(", ")})`,
    );
  if (v === undefined) {
    if (having.length > 1)
      throw new NsmError(
        "E_USAGE",
        `--check ${c} is in ${having.length} variants: name one, as -v VARIANT or --check VARIANT/${c} (${having.join(", ")})`,
      );
    return { variant: having[0] as string, check: c as string };
  }
  if (!having.includes(v))
    throw new NsmError(
      "E_USAGE",
      `--check ${check}: variant ${v} has no check ${c} (variants with it: ${having.join(", ")})`,
    );
  return { variant: v, check: c as string };
}

const probeLine = (p: Probe) =>
  `${p.spec.padEnd(26)} ${(p.release ?? "").padEnd(24)} ${(p.outcome ?? "cannot tell").padEnd(11)} ${p.why}`;

function stepLine(s: BisectStep, i: number): string {
  return `${String(i + 1).padStart(3)}. ${probeLine(s.probe)}${s.reused ? "  (known)" : ""}`;
}

function verdictLines(b: BisectOutcome, check: string): string[] {
  switch (b.kind) {
    case "found":
      return [
        `${check}: ${b.before.outcome} up to ${b.before.spec} (${b.before.release ?? "?"}),`,
        `${check}: ${b.first.outcome} from ${b.first.spec} (${b.first.release ?? "?"}): the first kernel where it changes`,
      ];
    case "same":
      return [`${check}: the same outcome at both ends: nothing to bisect between them`];
    case "cannot-tell":
      return [
        `${check}: cannot tell: ${b.reason}`,
        ...(b.between
          ? [
              `${check}: ${b.between[0].outcome} on ${b.between[0].spec}, ${b.between[1].outcome} on ${b.between[1].spec}: the change is between them`,
            ]
          : []),
      ];
  }
}

export function bisectCommand(): Command {
  return new Command("bisect")
    .description("find the first kernel, along an ordered list, where a check's outcome changes")
    .argument("<scenario>", "scenario file")
    .requiredOption("--check <check>", "the check: check, or variant/check")
    .requiredOption(
      "-k, --kernels <specs>",
      "kernel specs, oldest first (comma-separated, repeatable): debian:<series>, file:VMLINUZ[:MODULES], host",
      list,
    )
    .option("-v, --variant <name>", "the check's variant, when several have it")
    .option("-u, --userspace <spec>", "whose tools, for every kernel", "host")
    .option(
      "--from <results.json>",
      "results of earlier runs (-f json): kernels they cover are not run again (repeatable)",
      list,
      [],
    )
    .option("-j, --jobs <n>", "guests booted at once for the two ends", positiveInt, 2)
    .option(
      "--timeout-scale <x>",
      "multiply the wait for a service's answer (default: 1 on the host, 3 in guests)",
      scale,
    )
    .addOption(
      new Option("--accel <mode>", "guest acceleration").choices(["auto", "kvm", "tcg"]).default("auto"),
    )
    .option("--cache-dir <dir>", "where guest kernels are kept", defaultCacheDir())
    .addHelpText(
      "after",
      `
It runs the check's variant on both ends first: they must differ. Then it halves what lies between,
as git bisect does, and prints each kernel it measured with what it saw. A kernel that cannot tell
(the check skipped, set-up failed, the guest crashed, runs that disagree) is stepped over.

Exit status: 0 the first kernel where the outcome changes was found; 1 the ends agree, or it could
not tell; 2 a usage error.

Examples:
  sudo nsmatrix bisect scenarios/box0-bridge-dnat.yaml --check hairpin-static/cmd1-handshake \\
      -k debian:5.10,debian:6.1,debian:bookworm-backports,debian:6.12,debian:forky,debian:sid
  sudo nsmatrix bisect s.yaml --check web -k debian:6.1,file:/src/linux/arch/x86/boot/bzImage

In a kernel tree, let git bisect run drive a run instead (each commit's kernel built first):
  git bisect run sh -c 'make -j8 bzImage && nsmatrix run s.yaml -v V --bisect CHECK -k file:arch/x86/boot/bzImage'`,
    )
    .action(async (file: string, o) => {
      const [
        { loadScenario },
        { run },
        { bisectKernels, isCheck, probeOf, formatProgress },
        { readResults },
        { kernelProgressPrinter },
      ] = await Promise.all([
        import("../model/index.js"),
        import("../api/index.js"),
        import("../run/index.js"),
        import("../results/index.js"),
        import("../kernels/index.js"),
      ]);
      const sc = loadScenario(file);
      const t = target(sc, o.check as string, o.variant as string | undefined);
      const name = `${t.variant}/${t.check}`;
      const specs = o.kernels as string[];
      if (specs.length < 2)
        throw new NsmError("E_USAGE", "--kernels: give two kernels at least, oldest first");
      const mine = (r: { scenario: string; variant: string; check: string }) =>
        r.scenario === sc.name && isCheck(r, name);
      // What earlier runs already say, by the kernel spec of their column.
      const known = new Map<string, Probe>();
      for (const f of o.from as string[]) {
        const report = readResults(f, readFileSync(f, "utf8"));
        for (const c of report.columns) {
          if (!c.spec || !specs.includes(c.spec)) continue;
          const r = report.results.find(
            (x) => x.kernel === c.kernel && x.userspace === c.userspace && mine(x),
          );
          if (r && c.userspace === o.userspace) known.set(c.spec, probeOf(c.spec, r));
        }
      }
      const measureOne = async (spec: string): Promise<Probe> => {
        process.stderr.write(`bisect: running ${name} on ${spec}\n`);
        try {
          const report = await run([sc], {
            kernels: [spec],
            userspaces: [o.userspace as string],
            variants: [t.variant],
            accel: o.accel,
            cacheDir: o.cacheDir,
            ...(o.timeoutScale !== undefined ? { timeoutScale: o.timeoutScale } : {}),
            // Downloads and boots take minutes under TCG: say what is happening.
            onProgress: (e) => {
              const line = formatProgress(e);
              if (line) process.stderr.write(`${line}\n`);
            },
            onLine: (line) => process.stderr.write(`${line}\n`),
            kernelProgress: kernelProgressPrinter(process.stderr),
          });
          return probeOf(spec, report.results.find(mine));
        } catch (e) {
          if (e instanceof NsmError && ["E_USAGE", "E_PRIVILEGE", "E_TOOL", "E_INTERRUPTED"].includes(e.code))
            throw e;
          return { spec, why: (e as Error).message.split("\n")[0] ?? String(e) };
        }
      };
      const jobs = o.jobs as number;
      const measure = async (wanted: string[]) => {
        const out: Probe[] = [];
        for (let i = 0; i < wanted.length; i += jobs)
          out.push(...(await Promise.all(wanted.slice(i, i + jobs).map(measureOne))));
        return out;
      };
      process.stdout.write(`bisect ${sc.name}/${name} across ${specs.length} kernels, oldest first\n`);
      let n = 0;
      const outcome = await bisectKernels(specs, measure, {
        known,
        onStep: (s) => process.stdout.write(`${stepLine(s, n++)}\n`),
      });
      process.stdout.write(`${verdictLines(outcome, name).join("\n")}\n`);
      process.exitCode = BISECT_EXIT[outcome.kind];
    });
}
