// The results JSON as a zod schema: the JSON reporter's document, its JSON Schema for other tools
// (schemas/results.schema.json), and what `nsmatrix report` reads back.
import { z } from "zod";

const Drop = z.object({
  location: z.string().describe("the function that freed the packets"),
  reason: z.string().optional().describe("the drop reason by name (kernels 5.17 and later)"),
  count: z.int(),
  softirq: z.boolean().optional().describe("only ever freed in softirq or timer context"),
});

const SubTest = z.object({
  id: z.int(),
  name: z.string(),
  ok: z.boolean(),
  directive: z.string().optional(),
});

export const EvidenceSchema = z
  .object({
    command: z.string().describe("the command under test, as it ran"),
    exitCode: z.int().nullable(),
    durationMs: z.number(),
    stderrTail: z.string(),
    stage: z
      .string()
      .optional()
      .describe("how far the traffic got: replied, syn-timeout, answered, passed, ..."),
    kind: z.string().optional().describe("the kind of check: ping, tcp, udp, script, command"),
    timeoutS: z.number().optional(),
    answerTimeoutS: z.number().optional(),
    service: z.string().optional(),
    answeredBy: z.string().optional(),
    bytes: z.number().optional(),
    bytesExpected: z.number().optional(),
    offload: z.boolean().optional(),
    captured: z.string().optional(),
    drops: z.array(Drop).optional().describe("where the kernel freed the check's packets (skb:kfree_skb)"),
    dropsUnavailable: z.string().optional(),
    pcaps: z.array(z.string()).optional().describe("paths of the pcaps kept (--artifacts)"),
    subtests: z.array(SubTest).optional().describe("a script check's own TAP points"),
    output: z.string().optional().describe("a command check's output (stdout), its last lines"),
  })
  .describe("what a check did and saw");

const Key = {
  scenario: z.string(),
  variant: z.string(),
  check: z.string(),
  kernel: z.string().describe("the kernel release (uname -r)"),
  userspace: z.string().describe("whose tools: host, debian:<suite>, docker:<image>"),
  disagree: z
    .array(z.string())
    .optional()
    .describe("merged runs that disagree on this cell: each run's verdict and outcome, in order"),
};
const Outcome = z.enum(["reach", "no-reach"]);

export const ResultSchema = z.discriminatedUnion("verdict", [
  z.object({
    ...Key,
    verdict: z.enum(["pass", "fail", "xfail", "xpass"]),
    outcome: Outcome,
    expected: z.enum(["reach", "no-reach", "xfail", "flaky"]),
    evidence: EvidenceSchema,
    runs: z.int(),
    reached: z.int(),
    flaky: z.array(Outcome).optional(),
  }),
  z.object({ ...Key, verdict: z.literal("skip"), reason: z.string() }),
  z.object({ ...Key, verdict: z.literal("error"), reason: z.string(), evidence: EvidenceSchema.optional() }),
  z.object({ ...Key, verdict: z.literal("crash"), reason: z.string(), console: z.string() }),
]);

export const ColumnSchema = z.object({
  kernel: z.string().describe("the kernel release (uname -r)"),
  userspace: z.string(),
  spec: z.string().optional().describe("the kernel as given: host, debian:6.1, file:..., vagrant:..."),
  tools: z.record(z.string(), z.string()).optional().describe("versions of ip, nft, iptables, ebtables"),
  durationMs: z.number().optional().describe("the column's wall time"),
  machine: z.enum(["host", "qemu", "vagrant"]).optional().describe("where the kernel ran"),
  accel: z.enum(["kvm", "tcg"]).optional().describe("the accelerator a QEMU guest ran under"),
  host: z.string().optional().describe("the machine that ran the column"),
});

const Counts = z.object({
  pass: z.int(),
  fail: z.int(),
  xfail: z.int(),
  xpass: z.int(),
  skip: z.int(),
  error: z.int(),
  crash: z.int(),
});

export const ResultsDocument = z
  .object({
    version: z.literal(4),
    nsmatrix: z.string().describe("the version of nsmatrix that ran"),
    startedAt: z.string().optional().describe("ISO 8601 (a run always has it)"),
    finishedAt: z.string().optional().describe("ISO 8601"),
    hostname: z.string().optional().describe("the machine the run was on"),
    durationMs: z.number(),
    ok: z.boolean().describe("every result met its expectation (the run's exit status was 0 or 4)"),
    exitCode: z
      .union([z.literal(0), z.literal(1), z.literal(4)])
      .describe("kselftest's: 0, 1, or 4 all skipped"),
    columns: z.array(ColumnSchema),
    graphs: z.record(z.string(), z.string()).optional().describe("each scenario's topology, as Mermaid"),
    dot: z.record(z.string(), z.string()).optional().describe("each scenario's topology, as Graphviz dot"),
    summary: Counts,
    results: z.array(ResultSchema),
  })
  .describe("nsmatrix results: one per scenario × variant × check × kernel × userspace");
