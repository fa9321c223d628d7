// `nsmatrix run`: parse the options, then api.run(), then the reports and the exit status.
import { availableParallelism } from "node:os";
import { Command, Option } from "commander";
import { NsmError } from "../errors.js";
import { REPORT_FORMATS, type ReportFormat } from "../results/formats.js";
import { defaultCacheDir, defaultUserspaceDir, PROJECT_DIR } from "../system/paths.js";
import {
  checkOutputs,
  collect,
  collectReport,
  list,
  positiveInt,
  type ReportTarget,
  scale,
  scenarioFiles,
  writeReports,
} from "./options.js";
import { checkArtifacts, holdForUser } from "./support.js";

// What runs where: variants, kernels, userspaces, or a selftest script instead of scenarios.
const whatAndWhere = (c: Command) =>
  c
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
    .option(
      "--script <path>",
      "run selftests as they are, instead of scenarios (repeatable): a script (exit 0 pass, 1 fail, 2 xfail, 4 skip), or a folder where each executable *.sh is one; the files a script names (its lib.sh) go with it, a config file beside it is checked against the kernel's, and its TAP, KTAP or TEST: [ OK ] lines become subtests",
      collect,
      [],
    );

// Bisection: the exit status git bisect run reads.
const bisect = (c: Command) =>
  c
    .option(
      "--bisect <check>",
      "exit as git bisect run wants, from one check (check, or variant/check): 0 it reached (good), 1 it did not (bad), 125 it cannot tell (skipped, set-up failed); 128 for a usage error, which stops the bisection",
    )
    .addOption(
      new Option("--bisect-bad <outcome>", "the outcome that is bad (reach: a bug that lets traffic through)")
        .choices(["no-reach", "reach"])
        .default("no-reach"),
    );

// How: repeats, how much at once, timeouts, guests' acceleration, holding a failed variant.
function how(c: Command): Command {
  const cores = availableParallelism();
  return c
    .option(
      "--repeat <n>",
      "run each variant n times; each cell counts the runs that reached, and disagreeing runs are FLAKY",
      positiveInt,
      1,
    )
    .option(
      "-j, --jobs <n>",
      `guest kernels booted at once (default: the cores, ${cores} here; one vCPU each, and under TCG one more than the cores is often faster)`,
      positiveInt,
    )
    .option(
      "--variant-jobs <n>",
      `variants run at once on one kernel (default: twice the cores, 4 at least: ${Math.max(4, cores * 2)} here)`,
      positiveInt,
    )
    .option(
      "--timeout-scale <x>",
      "multiply the wait for a service's answer (default: 1 on the host, 3 in guests); handshake and echo limits are never scaled",
      scale,
    )
    .addOption(
      new Option("--accel <mode>", "guest acceleration; auto uses KVM only if a probe boots")
        .choices(["auto", "kvm", "tcg"])
        .default("auto"),
    )
    .option(
      "--keep",
      "host only: after a variant with a failure, keep its topology up and say how to enter each node; Enter tears it down",
    );
}

// The results: format, file, extra reports, colour.
const output = (c: Command) =>
  c
    .addOption(new Option("-f, --format <format>", "result format").choices(REPORT_FORMATS).default("pretty"))
    .option("-o, --output <file>", "write results to a file instead of stdout")
    .option(
      "--report <format:file>",
      `also write the results in a format to a file (repeatable): ${REPORT_FORMATS.join(", ")}; e.g. --report junit:results.xml --report json:results.json`,
      collectReport,
      [],
    )
    .option("--no-color", "plain text output (NO_COLOR and FORCE_COLOR are honoured too)");

// Diagnosis: the drop trace, and pcaps of each check's path.
const diagnosis = (c: Command) =>
  c
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
      ).choices(["failed", "all"]),
    );

// Where things are kept on this machine.
const places = (c: Command) =>
  c
    .option("--cache-dir <dir>", "where guest kernels are kept", defaultCacheDir())
    .option("--userspace-dir <dir>", "where built userspaces are kept", defaultUserspaceDir())
    .option(
      "--vagrant-dir <dir>",
      "directory of the Vagrantfile for vagrant:MACHINE kernels (machines el7: 3.10, stretch: 4.9)",
      process.env.VAGRANT_CWD ?? PROJECT_DIR,
    );

const EPILOGUE = `
The checks of a variant run one after the other, in the order the scenario declares them, on one
topology: what a check's frames teach bridges and neighbour tables is what the next one meets.
(parallel: true in a scenario runs them at once.) Variants and kernels run concurrently.

Examples:
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -v hairpin-static --repeat 5
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -k host,debian:5.10,debian:6.12 -j 3
  sudo nsmatrix run scenarios/box0-bridge-dnat.yaml -k host,debian:5.10 -u host,debian:bullseye
                  every kernel with every userspace: a container on the host kernel, the guest's root in QEMU
  sudo nsmatrix run --script ~/linux/tools/testing/selftests/net/fib_tests.sh -k debian:6.1,debian:6.12
  sudo nsmatrix run s.yaml -v hairpin-static --bisect cmd1-handshake -k file:arch/x86/boot/bzImage
                  in a kernel tree, under git bisect run (see nsmatrix bisect for catalog kernels)`;

// The options as api.run takes them; what it leaves unset takes its defaults there.
async function runAction(files: string[], o: Record<string, unknown>): Promise<void> {
  const reports = o.report as ReportTarget[];
  checkOutputs(o.output as string | undefined, reports);
  const scripts = o.script as string[];
  if (scripts.length && files.length)
    throw new NsmError("E_USAGE", "give scenario files or --script, not both");
  if (o.artifacts) checkArtifacts(o.artifacts as string);
  const [
    { run },
    { loadScenario, scriptScenario },
    { exitCodeOf },
    { kernelProgressPrinter },
    { bisectExit, isCheck, formatProgress },
  ] = await Promise.all([
    import("../api/index.js"),
    import("../model/index.js"),
    import("../results/index.js"),
    import("../kernels/index.js"),
    import("../run/index.js"),
  ]);
  const scenarios = scripts.length
    ? scripts.map((p) => scriptScenario(p))
    : scenarioFiles(files).map(loadScenario);
  const check = o.bisect as string | undefined;
  if (
    check &&
    !scenarios.some((sc) =>
      sc.variants.some((v) =>
        v.checks.some((c) => isCheck({ scenario: sc.name, variant: v.name, check: c.name }, check)),
      ),
    )
  )
    throw new NsmError(
      "E_USAGE",
      `--bisect ${check}: no such check (checks: ${[...new Set(scenarios.flatMap((sc) => sc.checks.map((c) => c.name)))].join(", ")})`,
    );
  const given = (k: string) => (o[k] !== undefined ? { [k]: o[k] } : {});
  const report = await run(scenarios, {
    kernels: [o.kernel as string],
    userspaces: [o.userspace as string],
    ...(o.variant ? { variants: o.variant as string[] } : {}),
    ...given("repeat"),
    ...given("jobs"),
    ...given("variantJobs"),
    ...given("timeoutScale"),
    ...given("artifacts"),
    ...given("capture"),
    diagnose: o.diagnose as boolean,
    accel: o.accel as "auto" | "kvm" | "tcg",
    cacheDir: o.cacheDir as string,
    userspaceDir: o.userspaceDir as string,
    vagrantDir: o.vagrantDir as string,
    ...(o.keep ? { keep: holdForUser } : {}),
    onProgress: (e) => {
      const line = formatProgress(e);
      if (line) process.stderr.write(`${line}\n`);
    },
    onLine: (line) => process.stderr.write(`${line}\n`),
    kernelProgress: kernelProgressPrinter(process.stderr),
  });
  await writeReports(
    report,
    o.format as ReportFormat,
    o.output as string | undefined,
    reports,
    o.color as boolean,
  );
  if (!check) {
    process.exitCode = exitCodeOf(report.results);
    return;
  }
  const b = bisectExit(report.results, check, o.bisectBad as "reach" | "no-reach");
  process.stderr.write(`bisect: ${b.why} (exit ${b.code})\n`);
  process.exitCode = b.code;
}

export function runCommand(): Command {
  const c = new Command("run")
    .description("run scenarios on the host kernel and on guest kernels, and print the matrix")
    .argument("[scenarios...]", "scenario files (default: scenarios/*.yaml)");
  for (const group of [whatAndWhere, how, output, diagnosis, bisect, places]) group(c);
  return c.addHelpText("after", EPILOGUE).action(runAction);
}
