// Parses kernel specs as users write them: `host`, `debian:<series>`, `file:<vmlinuz>[:<modules dir>]`,
// `vagrant:<machine>`.
import { NsmError } from "../errors.js";
import { nearest } from "../text.js";
import { DEBIAN_SERIES, debianSeries, knownSeries } from "./catalog.js";
import type { KernelSpec } from "./types.js";

const ACCEPTED = "host, debian:<series>, file:<vmlinuz>[:<modules dir>] or vagrant:<machine>";
// Vagrant machine names as the Vagrantfile defines them; this also keeps them safe as an argument.
const MACHINE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Parses one spec; throws E_USAGE saying what is accepted. */
export function parseKernelSpec(s: string): KernelSpec {
  const text = s.trim();
  if (text === "host") return { kind: "host" };
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? undefined : text.slice(colon + 1);
  if (kind === "debian") {
    if (!rest)
      throw new NsmError("E_USAGE", `kernel "${s}": give a series: debian:<series> (${knownSeries()})`);
    if (!debianSeries(rest)) {
      // A suite's name (bookworm) is a series' (6.1); else the nearest series by spelling.
      const near =
        DEBIAN_SERIES.find((d) => d.suite === rest)?.series ??
        nearest(
          rest,
          DEBIAN_SERIES.map((d) => d.series),
        );
      throw new NsmError(
        "E_USAGE",
        `kernel "${s}": unknown Debian series "${rest}"${near ? ` (did you mean debian:${near}?)` : ""}; known: ${knownSeries()}; for 3.10 and 4.9 see the Vagrantfile: vagrant:el7, vagrant:stretch`,
      );
    }
    return { kind: "debian", series: rest };
  }
  if (kind === "file") {
    const parts = (rest ?? "").split(":");
    const [vmlinuz, modules] = parts;
    if (!vmlinuz || parts.length > 2 || modules === "") {
      throw new NsmError(
        "E_USAGE",
        `kernel "${s}": expected file:<vmlinuz>[:<modules dir>] (paths without ":"), e.g. file:/boot/vmlinuz-6.1.0-50-amd64:/lib/modules/6.1.0-50-amd64`,
      );
    }
    return modules === undefined ? { kind: "file", vmlinuz } : { kind: "file", vmlinuz, modules };
  }
  if (kind === "vagrant") {
    if (!rest || !MACHINE.test(rest)) {
      throw new NsmError(
        "E_USAGE",
        `kernel "${s}": expected vagrant:<machine>, a machine of the Vagrantfile (letters, digits, . _ -), e.g. vagrant:el7`,
      );
    }
    return { kind: "vagrant", machine: rest };
  }
  throw new NsmError(
    "E_USAGE",
    `kernel "${s}" is not a kernel spec${suggestion(text)}: expected ${ACCEPTED}`,
  );
}

// The spec a user probably meant: `6.1` is `debian:6.1`, `debain:6.1` is `debian:6.1`.
function suggestion(text: string): string {
  if (debianSeries(text)) return ` (did you mean debian:${text}?)`;
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const near = nearest(kind, ["host", "debian", "file", "vagrant"]);
  if (!near) return "";
  return ` (did you mean ${near === "host" || colon < 0 ? near : `${near}${text.slice(colon)}`}?)`;
}

/** The canonical text of a spec, e.g. `debian:6.1`; parseKernelSpec(formatKernelSpec(k)) equals k. */
export function formatKernelSpec(k: KernelSpec): string {
  switch (k.kind) {
    case "host":
      return "host";
    case "debian":
      return `debian:${k.series}`;
    case "vagrant":
      return `vagrant:${k.machine}`;
    case "file":
      return k.modules === undefined ? `file:${k.vmlinuz}` : `file:${k.vmlinuz}:${k.modules}`;
  }
}

/** Parses `host,debian:6.1`; rejects empty items and duplicates. */
export function parseKernelList(s: string): KernelSpec[] {
  const items = s.split(",").map((i) => i.trim());
  if (items.some((i) => i === "")) {
    throw new NsmError("E_USAGE", `kernel list "${s}" has an empty item: expected e.g. host,debian:6.1`);
  }
  const seen = new Set<string>();
  return items.map((item) => {
    const spec = parseKernelSpec(item);
    const key = formatKernelSpec(spec);
    if (seen.has(key)) throw new NsmError("E_USAGE", `kernel list "${s}" names ${key} twice`);
    seen.add(key);
    return spec;
  });
}
