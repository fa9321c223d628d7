// What a check can demand beside reaching (a service's name, bytes, an offload, a captured
// packet), and what nsmatrix adds as diagnosis (drops, pcaps, a script's subtests): each reads
// its fields from a TAP point's YAML diagnostics and says what it saw. Reporters show the facts
// as they come, whatever they are.
import { type Drop, dropText, parseDrops } from "./drops.js";

/** One line of evidence: what was demanded or seen, and whether it counted towards reaching. */
export interface Fact {
  label: string;
  text: string;
  met: boolean;
  /** A diagnosis (where packets died, files kept) explains; it demands nothing. */
  diagnosis?: boolean;
}

/** A nested TAP point a script printed. */
export interface SubTest {
  id: number;
  name: string;
  ok: boolean;
  directive?: string;
}

/** What each demand and diagnosis reads from a TAP point's YAML diagnostics, and shows. */
export interface DemandEvidence {
  service?: string;
  answeredBy?: string;
  bytes?: number;
  bytesExpected?: number;
  offload?: boolean;
  captured?: string;
  drops?: Drop[];
  /** Why no drops could be traced (no tracefs, say). */
  dropsUnavailable?: string;
  pcaps?: string[];
  subtests?: SubTest[];
  /** A command check's output, its last lines. */
  output?: string;
}

type Diag = Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" ? v : Number(v ?? Number.NaN));
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

interface Demand {
  parse: (d: Diag) => DemandEvidence;
  facts: (e: DemandEvidence) => Fact[];
}

const DEMANDS: Demand[] = [
  {
    // Who answered is part of the stage's words; the service named is what it is compared with.
    parse: (d) => ({
      ...(d.service !== undefined ? { service: String(d.service) } : {}),
      ...(d.answered_by !== undefined ? { answeredBy: String(d.answered_by) } : {}),
    }),
    facts: () => [],
  },
  {
    parse: (d) =>
      d.bytes !== undefined ? { bytes: num(d.bytes), bytesExpected: num(d.bytes_expected) } : {},
    facts: (e) =>
      e.bytes === undefined
        ? []
        : [
            {
              label: "bytes",
              text: `${e.bytes} of ${e.bytesExpected ?? "?"}`,
              met: e.bytesExpected === undefined || e.bytes >= e.bytesExpected,
            },
          ],
  },
  {
    parse: (d) => (d.offload !== undefined ? { offload: d.offload === "seen" } : {}),
    facts: (e) =>
      e.offload === undefined
        ? []
        : [{ label: "offload", text: e.offload ? "seen" : "not seen", met: e.offload }],
  },
  {
    parse: (d) => (d.captured !== undefined ? { captured: String(d.captured) } : {}),
    facts: (e) =>
      e.captured === undefined
        ? []
        : [{ label: "captured", text: e.captured, met: e.captured !== "nothing" }],
  },
  {
    parse: (d) => ({
      ...(d.drops !== undefined
        ? { drops: parseDrops(String(d.drops), str(d.drop_format), str(d.drop_symbols)) }
        : {}),
      ...(d.drops_unavailable !== undefined ? { dropsUnavailable: String(d.drops_unavailable) } : {}),
    }),
    facts: (e) => {
      const text = e.dropsUnavailable
        ? `not traced: ${e.dropsUnavailable}`
        : e.drops?.length
          ? e.drops.map(dropText).join(", ")
          : "none traced (the packet was lost elsewhere, or never sent)";
      return e.drops || e.dropsUnavailable ? [{ label: "drops", text, met: true, diagnosis: true }] : [];
    },
  },
  {
    parse: (d) => {
      const files = str(d.pcaps)?.split(/\s+/).filter(Boolean);
      return files?.length ? { pcaps: files } : {};
    },
    facts: (e) =>
      e.pcaps?.length ? [{ label: "pcap", text: e.pcaps.join(", "), met: true, diagnosis: true }] : [],
  },
  {
    parse: (d) => (d.output !== undefined ? { output: String(d.output).trimEnd() } : {}),
    facts: (e) =>
      e.output
        ? [{ label: "output", text: e.output.split("\n").join(" ⏎ "), met: true, diagnosis: true }]
        : [],
  },
  {
    parse: () => ({}),
    facts: (e) => {
      const t = subtestTally(e.subtests);
      if (!t) return [];
      const named = (what: string, names: string[]) => (names.length ? `; ${what}: ${names.join(", ")}` : "");
      const text = `${t.ok}/${t.total} ok${named("failed", t.failed)}${named("skipped", t.skipped)}${named("expected failures", t.xfailed)}`;
      return [{ label: "subtests", text, met: t.failed.length === 0 }];
    },
  },
];

/** Every demand's and diagnosis' fields of a TAP point's diagnostics. */
export function demandEvidence(diag: Diag): DemandEvidence {
  return Object.assign({}, ...DEMANDS.map((d) => d.parse(diag)));
}

/** Every demand's and diagnosis' facts, in a fixed order. */
export function demandFacts(e: DemandEvidence): Fact[] {
  return DEMANDS.flatMap((d) => d.facts(e));
}

/** A script's subtests counted as kselftest does: ok (skips and expected failures included) of all. */
export function subtestTally(
  subtests: SubTest[] | undefined,
): { ok: number; total: number; failed: string[]; skipped: string[]; xfailed: string[] } | undefined {
  if (!subtests?.length) return undefined;
  const names = (keep: (t: SubTest) => boolean) => subtests.filter(keep).map((t) => t.name);
  return {
    ok: subtests.filter((t) => t.ok || t.directive === "TODO").length,
    total: subtests.length,
    failed: names((t) => !t.ok && t.directive !== "TODO"),
    skipped: names((t) => t.directive === "SKIP"),
    xfailed: names((t) => t.directive === "XFAIL" || t.directive === "TODO"),
  };
}
