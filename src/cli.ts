// The nsmatrix command line. The only module, with backends, that touches the OS; one catch maps errors to exit codes.
import { readdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import {
  cleanLeftovers,
  exec,
  findContainers,
  findLeftovers,
  mountTracefs,
  PROJECT_VAGRANT_DIR,
  removeContainers,
  requireRoot,
  requireTools,
} from "./backends/index.js";
import { columnBackends } from "./cli-backends.js";
import { describeScenario } from "./cli-list.js";
import { checkArtifacts, checkOutput, holdForUser, parseScale, useColor } from "./cli-support.js";
import { compileVariant, drawTopology, type GraphFormat } from "./compile/index.js";
import { formatIssues, NsmError } from "./errors.js";
import { defaultCacheDir, kernelProgressPrinter, kernelsCommand, parseKernelList } from "./kernels/index.js";
import {
  fileKind,
  loadScenario,
  loadTopology,
  type ScenarioModel,
  scriptScenario,
  type TopologyT,
} from "./model/index.js";
import { formatProgress, type ProgressEvent } from "./progress.js";
import { exitCodeOf, mergeReports, type RunReport, readResults } from "./results/index.js";
import { formatReport, REPORT_FORMATS, type ReportFormat } from "./results/reporters/index.js";
import { planJobs, runMatrix } from "./run.js";
import { writeSchemas } from "./schemas.js";
import { readUserFile } from "./system/index.js";
import {
  cachedUserspace,
  defaultUserspaceDir,
  formatUserspaceSpec,
  parseUserspaceList,
  userspaceCommand,
} from "./userspace/index.js";
import { VERSION } from "./version.js";

interface ReportTarget {
  format: ReportFormat;
  file: string;
}

// `--report junit:results.xml`: a format and a file.
function collectReport(value: string, previous: ReportTarget[]): ReportTarget[] {
  const colon = value.indexOf(":");
  const format = value.slice(0, colon) as ReportFormat;
  const file = value.slice(colon + 1);
  if (colon < 1 || !file || !REPORT_FORMATS.includes(format))
    throw new InvalidArgumentError(`expected FORMAT:FILE with FORMAT one of ${REPORT_FORMATS.join(", ")}`);
  return [...previous, { format, file }];
}

// The main output (stdout or -o), then each --report file.
function writeReports(
  report: RunReport,
  format: ReportFormat,
  output: string | undefined,
  extra: ReportTarget[],
  color: boolean,
): void {
  const text = formatReport(format, report, { color: useColor(color, !!output) });
  if (output) writeFileSync(output, text);
  else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  for (const r of extra) writeFileSync(r.file, formatReport(r.format, report, { color: false }));
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of 1 or more");
  return n;
};
const scale = (v: string) => {
  try {
    return parseScale(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--timeout-scale "[^"]*": /, ""));
  }
};
const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").filter(Boolean)];

function scenarioFiles(args: string[]): string[] {
  if (args.length) return args;
  try {
    return readdirSync("scenarios")
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .map((f) => join("scenarios", f));
  } catch {
    throw new NsmError("E_USAGE", "no scenario files given and no scenarios/ directory here");
  }
}

function checkVariants(scenarios: ScenarioModel[], wanted?: string[]): void {
  for (const w of wanted ?? []) {
    if (!scenarios.some((sc) => sc.variants.some((v) => v.name === w))) {
      const known = [...new Set(scenarios.flatMap((sc) => sc.variants.map((v) => v.name)))].join(", ");
      throw new NsmError("E_USAGE", `unknown variant "${w}" (known: ${known})`);
    }
  }
}

// exitOverride: commander throws instead of exiting (with 1), so usage errors exit 2 below.
const program = new Command()
  .exitOverride()
  .name("nsmatrix")
  .description(
    "Build Linux network topologies in namespaces, send ping/TCP/UDP through them, and report\n" +
      "reachability as a matrix of scenario × variant × check × kernel.",
  )
  .version(VERSION)
  .showHelpAfterError()
  .addHelpText(
    "after",
    `
Examples:
  nsmatrix validate scenarios/box0-bridge-dnat.yaml      check files; touches nothing
  nsmatrix list                                           scenarios, variants and checks in scenarios/
  nsmatrix plan scenarios/box0-bridge-dnat.yaml --variant hairpin > repro.sh
                                                          the standalone script (attach it to a bug report)
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml       run every variant on the host kernel
  sudo nsmatrix run scenarios/*.yaml --format junit --output results.xml
  sudo nsmatrix clean                                     remove what a killed run left behind

Exit status: 0 every result matched its expectation, 1 otherwise, 2 usage or validation error.`,
  );

program
  .command("run")
  .description("run scenarios on the host kernel and on guest kernels, and print the matrix")
  .argument("[scenarios...]", "scenario files (default: scenarios/*.yaml)")
  .option("-v, --variant <names>", "only these variants (comma-separated, repeatable)", list)
  .option(
    "-k, --kernel <specs>",
    "kernels: host, debian:5.10, debian:6.1, debian:6.12, file:VMLINUZ[:MODULES], vagrant:MACHINE (comma-separated)",
    "host",
  )
  .option(
    "-u, --userspace <specs>",
    "whose iproute2/nftables/iptables/ebtables: host, debian:bullseye, debian:bookworm, debian:trixie, docker:IMAGE (comma-separated; every kernel × every userspace)",
    "host",
  )
  .option("--userspace-dir <dir>", "where built userspaces are kept", defaultUserspaceDir())
  .option(
    "--vagrant-dir <dir>",
    "directory of the Vagrantfile for vagrant:MACHINE kernels (machines el7: 3.10, stretch: 4.9)",
    process.env.VAGRANT_CWD ?? PROJECT_VAGRANT_DIR,
  )
  .addOption(
    new Option("--accel <mode>", "guest acceleration; auto uses KVM only if a probe boots")
      .choices(["auto", "kvm", "tcg"])
      .default("auto"),
  )
  .addOption(new Option("-f, --format <format>", "result format").choices(REPORT_FORMATS).default("pretty"))
  .option("-o, --output <file>", "write results to a file instead of stdout")
  .option(
    "--report <format:file>",
    `also write the results in a format to a file (repeatable): ${REPORT_FORMATS.join(", ")}; e.g. --report junit:results.xml --report json:results.json`,
    collectReport,
    [],
  )
  .option(
    "--repeat <n>",
    "run each variant n times; each cell counts the runs that reached, and disagreeing runs are FLAKY",
    positiveInt,
    1,
  )
  .option(
    "-j, --jobs <n>",
    "guest kernels booted at once (one vCPU each; under TCG one more than the cores is often faster)",
    positiveInt,
    availableParallelism(),
  )
  .option(
    "--variant-jobs <n>",
    "variants run at once on the host",
    positiveInt,
    Math.max(4, availableParallelism() * 2),
  )
  .option(
    "--timeout-scale <x>",
    "multiply the wait for a service's answer (default: 1 on the host, 3 in guests); handshake and echo limits are never scaled",
    scale,
  )
  .option("--cache-dir <dir>", "where guest kernels are kept", defaultCacheDir())
  .option(
    "--no-diagnose",
    "do not trace skb:kfree_skb: by default a check that should have got through and did not names where its packets were freed",
  )
  .option(
    "--artifacts <dir>",
    "keep pcaps of each check's path (tcpdump -i any in every node on it) as DIR/<scenario>/<variant>/<kernel>/<check>.<node>.pcap",
  )
  .addOption(
    new Option(
      "--capture <which>",
      "with --artifacts: the pcaps of checks that missed what they should do, or of all",
    )
      .choices(["failed", "all"])
      .default("failed"),
  )
  .option(
    "--script <file>",
    "run a selftest-style script (exit 0 pass, 1 fail, 2 xfail, 4 skip; the files beside it that it names go with it) on each kernel, in a namespace of its own",
  )
  .option("--no-color", "plain text output (NO_COLOR and FORCE_COLOR are honoured too)")
  .option(
    "--keep",
    "host only: after a variant with a failure, keep its topology up and say how to enter each node; Enter tears it down",
  )
  .addHelpText(
    "after",
    `
The checks of a variant run one after the other, in the order the scenario declares them, on one
topology: what a check's frames teach bridges and neighbour tables is what the next one meets.
(parallel: true in a scenario runs them at once.) Variants and kernels run concurrently.

Examples:
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -v hairpin-static --repeat 5
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -k host,debian:5.10,debian:6.12 -j 3
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -k host,debian:5.10 -u host,debian:bullseye
                  every kernel with every userspace: a container on the host kernel, the guest's root in QEMU`,
  )
  .action(async (files: string[], o, command: Command) => {
    if (o.output) checkOutput(o.output);
    for (const r of o.report as ReportTarget[]) checkOutput(r.file);
    if (o.script && files.length) throw new NsmError("E_USAGE", "give scenario files or --script, not both");
    if (command.getOptionValueSource("capture") === "cli" && !o.artifacts)
      throw new NsmError("E_USAGE", "--capture needs --artifacts DIR");
    if (o.artifacts) checkArtifacts(o.artifacts);
    const scenarios = o.script ? [scriptScenario(o.script)] : scenarioFiles(files).map(loadScenario);
    checkVariants(scenarios, o.variant);
    const specs = parseKernelList(o.kernel);
    const userspaces = parseUserspaceList(o.userspace);
    const hostTools = userspaces.some((u) => u.kind === "host");
    if (o.keep && (specs.some((k) => k.kind !== "host") || !userspaces.every((u) => u.kind === "host")))
      throw new NsmError("E_USAGE", "--keep holds runs on the host kernel only (-k host)");
    if (specs.some((k) => k.kind === "host")) requireRoot("nsmatrix run on the host kernel");
    const unbuilt = userspaces.filter((u) => u.kind === "debian" && !cachedUserspace(o.userspaceDir, u));
    if (unbuilt.length) requireRoot(`building ${unbuilt.map(formatUserspaceSpec).join(", ")} (debootstrap)`);
    const jobs = planJobs(scenarios, o.variant, 1);
    const guests = specs.some((k) => k.kind === "debian" || k.kind === "file");
    requireTools([
      "sh",
      ...(hostTools ? jobs.flatMap((j) => j.script.tools) : []),
      ...(guests ? ["qemu-system-x86_64", "busybox", "xz", "dpkg-deb", "depmod"] : []),
      ...(unbuilt.length ? ["debootstrap"] : []),
    ]);
    const progress = (e: ProgressEvent) => {
      const line = formatProgress(e);
      if (line) process.stderr.write(`${line}\n`);
    };
    const backends = await columnBackends(specs, userspaces, {
      exec,
      accel: o.accel,
      cacheDir: o.cacheDir,
      userspaceDir: o.userspaceDir,
      vagrantDir: o.vagrantDir,
      kernelProgress: kernelProgressPrinter(process.stderr),
      log: (label, message) => progress({ kind: "log", label, message }),
      print: (line) => process.stderr.write(`${line}\n`),
    });
    const abort = new AbortController();
    // `on`, not `once`: execa's exit hook re-raises a signal that has no listener left.
    const stop = () => abort.abort();
    process.on("SIGINT", stop).on("SIGTERM", stop);
    const report = await runMatrix(scenarios, backends, {
      variants: o.variant,
      repeat: o.repeat,
      // A kept run waits for the user: one variant at a time, so their pauses do not interleave.
      jobs: o.keep ? 1 : o.variantJobs,
      kernelJobs: o.keep ? 1 : o.jobs,
      ...(o.keep ? { keep: holdForUser } : {}),
      timeoutScale: o.timeoutScale,
      cancel: abort.signal,
      progress,
      diagnose: o.diagnose,
      ...(o.artifacts ? { artifacts: resolve(o.artifacts), capture: o.capture } : {}),
    });
    if (abort.signal.aborted)
      throw new NsmError("E_INTERRUPTED", "interrupted; everything the run made was removed");
    writeReports(report, o.format as ReportFormat, o.output, o.report as ReportTarget[], o.color);
    process.exitCode = exitCodeOf(report.results);
  });

program
  .command("report")
  .description("re-render the JSON results of one or more runs, merged into one matrix")
  .argument("<results...>", "results files written by run -f json (or --report json:FILE)")
  .addOption(new Option("-f, --format <format>", "result format").choices(REPORT_FORMATS).default("pretty"))
  .option("-o, --output <file>", "write to a file instead of stdout")
  .option("--report <format:file>", "also write in a format to a file (repeatable)", collectReport, [])
  .option("--no-color", "plain text output")
  .addHelpText(
    "after",
    `
The merged matrix has the union of the runs' columns (kernel × userspace). A cell that two runs
both have keeps the first run's result; where their verdicts differ it says DISAGREE with each
run's verdict, and the exit status is 1. Example, a CI job per kernel and a final job:
  nsmatrix report results-host.json results-6.1.json results-6.12.json -f markdown >> "$GITHUB_STEP_SUMMARY"`,
  )
  .action((files: string[], o) => {
    if (o.output) checkOutput(o.output);
    for (const r of o.report as ReportTarget[]) checkOutput(r.file);
    const report = mergeReports(files.map((f) => readResults(f, readUserFile(f))));
    writeReports(report, o.format as ReportFormat, o.output, o.report as ReportTarget[], o.color);
    process.exitCode = exitCodeOf(report.results);
  });

program
  .command("validate")
  .description("validate scenario and topology files without touching the system")
  .argument("<files...>", "scenario or topology files")
  .action((files: string[]) => {
    let bad = 0;
    for (const f of files) {
      try {
        if (fileKind(f) === "topology") {
          const t = loadTopology(f);
          console.log(
            `ok ${f}: topology, ${Object.keys(t.nodes).length} nodes, ${t.links?.length ?? 0} links`,
          );
        } else {
          const sc = loadScenario(f);
          console.log(
            `ok ${f}: scenario ${sc.name}, ${sc.variants.length} variants, ${sc.checks.length} checks`,
          );
        }
      } catch (e) {
        if (!(e instanceof NsmError)) throw e;
        bad++;
        reportError(e);
      }
    }
    if (bad) throw new NsmError("E_SCHEMA", `${bad} of ${files.length} files are invalid`);
  });

program
  .command("plan")
  .description("print the standalone POSIX sh script for one variant (runs as root, without Node)")
  .argument("<scenario>", "scenario file")
  .option("-v, --variant <name>", "the variant (default: the first)")
  .option("--timeout-scale <x>", "multiply the waits for a service's answer, as in a slow guest", scale, 1)
  .option("--no-diagnose", "leave out the skb:kfree_skb trace of checks that do not get through")
  .addOption(
    new Option(
      "--capture <which>",
      "keep pcaps of each check's path in $NSM_ARTIFACTS (default: the current folder)",
    ).choices(["failed", "all"]),
  )
  .addHelpText(
    "after",
    `
The script reads top to bottom like a net selftest: what it reproduces and what each check
expects on which kernel, the topology commands, each check's command written out (copy it, with
P=nsm-<run>, to run it by hand), then the helpers it calls. It prints TAP and, per check, a line
such as "[XFAIL] cmd1: no-reach (syn-timeout), expected xfail" against the running kernel.`,
  )
  .action((file: string, o) => {
    const sc = loadScenario(file);
    const name = o.variant ?? sc.variants[0]?.name;
    checkVariants([sc], [name]);
    if (!o.variant && sc.variants.length > 1) {
      process.stderr.write(
        `plan: variant ${name} (others: ${sc.variants
          .slice(1)
          .map((v) => v.name)
          .join(", ")})\n`,
      );
    }
    const options = {
      timeoutScale: o.timeoutScale,
      diagnose: o.diagnose,
      ...(o.capture ? { capture: o.capture } : {}),
    };
    process.stdout.write(compileVariant(sc, name, options).text);
  });

program
  .command("graph")
  .description("draw a topology: nodes, links, bridges and their ports, VRFs, tunnels, addresses")
  .argument("<file>", "a topology file, or a scenario (its topology, with --variant's patch)")
  .option("-v, --variant <name>", "a scenario's variant (default: the first)")
  .addOption(
    new Option("-f, --format <format>", "Mermaid (GitHub renders it) or Graphviz dot")
      .choices(["mermaid", "dot"])
      .default("mermaid"),
  )
  .addHelpText(
    "after",
    "\nExample:\n  nsmatrix graph topologies/box0-bridge.yaml -f dot | dot -Tsvg > box0.svg",
  )
  .action((file: string, o) => {
    let topo: TopologyT;
    if (fileKind(file) === "topology") topo = loadTopology(file);
    else {
      const sc = loadScenario(file);
      const name = o.variant ?? sc.variants[0]?.name;
      checkVariants([sc], [name]);
      topo = sc.variants.find((v) => v.name === name)?.topology ?? { nodes: {} };
    }
    process.stdout.write(drawTopology(topo, o.format as GraphFormat));
  });

program
  .command("list")
  .description("list scenarios, their variants and checks")
  .argument("[scenarios...]", "scenario files (default: scenarios/*.yaml)")
  .action((files: string[]) => {
    for (const sc of scenarioFiles(files).map(loadScenario)) console.log(describeScenario(sc).join("\n"));
  });

program
  .command("clean")
  .description("remove namespaces, processes, files and containers left by runs that died (nsm-<run>-*)")
  .option("--force", "also remove runs that are still going")
  .option("--dry-run", "only list what would be removed")
  .action(async (o) => {
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

program.addCommand(kernelsCommand({ exec }));
program.addCommand(userspaceCommand({ exec }));

program
  .command("schema")
  .description("write JSON Schemas of both file formats, for editors")
  .option("-o, --out <dir>", "directory", "schemas")
  .action((o) => {
    for (const f of writeSchemas(o.out)) console.log(`wrote ${f}`);
  });

const EXIT: Record<NsmError["code"], number> = {
  E_USAGE: 2,
  E_YAML: 2,
  E_SCHEMA: 2,
  E_IO: 2,
  E_PRIVILEGE: 2,
  E_TOOL: 2,
  E_BACKEND: 1,
  E_TIMEOUT: 1,
  E_INTERRUPTED: 130,
  E_INTERNAL: 70,
};

function reportError(e: NsmError): void {
  process.stderr.write(`nsmatrix: ${e.message}\n`);
  if (e.issues.length) process.stderr.write(`${formatIssues(e.issues)}\n`);
}

try {
  await program.parseAsync();
} catch (e) {
  if (e instanceof CommanderError) {
    // commander printed the message; help and version are not errors, the rest are usage errors.
    const fine = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(e.code);
    process.exitCode = fine ? 0 : EXIT.E_USAGE;
  } else if (e instanceof NsmError) {
    reportError(e);
    process.exitCode = EXIT[e.code];
  } else {
    process.stderr.write(`nsmatrix: internal error (please report it): ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 70;
  }
}
