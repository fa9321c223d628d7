// The scenario file's schemas: services, checks and their expectations, variants.
import semver from "semver";
import { z } from "zod";
import { KIND_KEYS, matchProblem } from "../checks/index.js";
import { Endpoint, Flag, Label, NodeName, show, Timeout } from "../net/index.js";

/**
 * A range written out: "*" alone, or semver comparators with versions. semver reads "", "x" and
 * an empty "||" alternative as "any version"; here they are mistakes.
 */
function isKernelRange(s: string): boolean {
  if (s === "*") return true;
  const parts = s.split("||").map((p) => p.trim());
  if (parts.some((p) => p === "" || /(^|[\s<>=~^.])[xX*](?=$|[\s.])/.test(p))) return false;
  return parts.every((p) => semver.validRange(p) !== null && /\d/.test(p));
}

export const Outcome = z.enum(["reach", "no-reach"]);
export const Expectation = z.enum(["reach", "no-reach", "xfail", "flaky"], {
  error: (i) => `${show(i.input)} is not one of reach, no-reach, xfail, flaky`,
});

const KernelRange = z.string().refine(isKernelRange, {
  error: (i) => `${show(i.input)} is not a kernel version range like ">=4.9 <5.1" (or "*" for any)`,
});
const PerKernel = z.union([Expectation, z.record(KernelRange, Expectation)]);

export const Expect = z.union([Expectation, z.record(z.string(), PerKernel)]);

const Port = z.int().min(1).max(65535);

export const Service = z
  .strictObject({
    node: NodeName,
    tcp: Port.optional(),
    udp: Port.optional(),
    sends: z
      .int()
      .min(1)
      .max(1 << 30)
      .optional()
      .describe(
        "tcp: after its name, send this many bytes, then hold the connection 1 s (a transfer whose state can be inspected, e.g. flow offload)",
      ),
  })
  .refine((s) => (s.tcp === undefined) !== (s.udp === undefined), {
    error: "a service listens on exactly one of 'tcp' or 'udp'",
  })
  .refine((s) => s.sends === undefined || s.tcp !== undefined, {
    error: "'sends' is for tcp services",
    path: ["sends"],
  });

/** Where to watch the wire: `node:dev` and a pcap filter. */
export const Capture = z
  .strictObject({
    on: Endpoint.describe("node:interface to capture on"),
    filter: z
      .string()
      .min(1)
      .max(500)
      .regex(/^[^-]/, "a pcap filter cannot start with '-' (tcpdump would read it as an option)")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
      .regex(/^[^\x00-\x1f\x7f]*$/, "a pcap filter is one line of printable text")
      .describe("pcap filter; the check reaches only if a packet matching it was seen"),
  })
  .describe("watch the wire with tcpdump while the check runs");

const kindKeys = Object.keys(KIND_KEYS) as (keyof typeof KIND_KEYS)[];

export const Check = z
  .strictObject({
    description: z.string().optional(),
    from: NodeName.optional().describe(
      "the node the check runs in (a script check without one runs in the run's own namespace)",
    ),
    ...KIND_KEYS,
    service: Label.optional().describe("the service that must answer (proves where DNAT went)"),
    timeout: Timeout.optional().describe(
      "seconds for the kernel's part (handshake, echo reply); a service's answer may take this times the timeout scale",
    ),
    capture: Capture.optional(),
    offload: NodeName.optional().describe(
      "tcp: the connection must show [OFFLOAD] in this node's conntrack table while it runs (nft flowtable)",
    ),
    match: z
      .string()
      .min(1)
      .max(500)
      .refine((s) => matchProblem(s) === undefined, { error: (i) => matchProblem(String(i.input)) })
      .optional()
      .describe(
        "command: reach when its output (stdout and stderr) matches this POSIX extended regular expression (grep -E), whatever the exit code",
      ),
    exit: z.int().min(0).max(255).optional().describe("command: the exit code it must end with"),
    expect: Expect.optional(),
  })
  .refine((c) => kindKeys.filter((k) => c[k] !== undefined).length === 1, {
    error: `a check has exactly one of ${kindKeys
      .map((k) => `'${k}'`)
      .join(", ")
      .replace(/, ([^,]*)$/, " or $1")}`,
  })
  .refine((c) => c.from !== undefined || c.script !== undefined, {
    error: "a ping, tcp, udp or command check needs 'from': the node it runs in",
  })
  .refine((c) => c.script === undefined || (c.timeout === undefined && c.service === undefined), {
    error: "a script check takes neither 'timeout' (give script.timeout) nor 'service'",
  })
  .refine((c) => c.command === undefined || c.service === undefined, {
    error: "a command check takes no 'service': give 'match' to say what its output must show",
    path: ["service"],
  })
  .refine((c) => c.command !== undefined || (c.match === undefined && c.exit === undefined), {
    error: "'match' and 'exit' are for command checks",
    path: [],
  })
  .refine((c) => c.offload === undefined || c.tcp !== undefined, {
    error: "'offload' is for tcp checks",
    path: ["offload"],
  })
  .refine((c) => c.offload === undefined || c.tcp === undefined || c.service !== undefined, {
    error: "'offload' needs a 'service': without one the check only completes the handshake and closes",
    path: ["offload"],
  });

export const Variant = z
  .strictObject({
    description: z.string().optional(),
    timeout: Timeout.optional().describe(
      "default check timeout in this variant, in seconds (a check's own timeout still wins)",
    ),
    patch: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("merged over the topology: maps merge, lists append, null removes"),
  })
  .nullable();

export const Scenario = z
  .strictObject({
    scenario: Label,
    description: z.string().optional(),
    topology: z
      .string()
      .min(1)
      .regex(/\.ya?ml$/, "a topology file's name ends in .yaml or .yml")
      .describe("path of the topology file, relative to this file"),
    timeout: Timeout.optional().describe(
      "default check timeout in seconds (0.5); keep it clear of TCP's retransmissions at 1, 3 and 7 s",
    ),
    parallel: Flag.optional().describe(
      "run the checks all at once (default false: one after the other, in the order declared; safe only for checks that share no state)",
    ),
    services: z.record(Label, Service).optional(),
    variants: z.record(Label, Variant).optional(),
    checks: z.record(Label, Check),
  })
  .describe("an nsmatrix scenario");
