// Parses userspace specs as users write them: `host`, `debian:<suite>`, `docker:<image>`.
import { NsmError } from "../errors.js";

/** Whose iproute2, nftables, iptables and ebtables the scripts run with. */
export type UserspaceSpec =
  | { kind: "host" }
  | { kind: "debian"; suite: string }
  | { kind: "docker"; image: string };

/** Debian suites the archive still serves, oldest first, with their release numbers. */
export const DEBIAN_SUITES = [
  { suite: "bullseye", release: "11" },
  { suite: "bookworm", release: "12" },
  { suite: "trixie", release: "13" },
] as const;

const ACCEPTED = "host, debian:<suite> or docker:<image>";
const suites = () => DEBIAN_SUITES.map((d) => `${d.suite} (${d.release})`).join(", ");
// An image reference as the Docker engine takes it: [registry[:port]/]path[:tag][@sha256:digest].
const IMAGE =
  /^(?:[a-z0-9.-]+(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/** Parses one spec; throws E_USAGE saying what is accepted. `debian:11` means bullseye. */
export function parseUserspaceSpec(s: string): UserspaceSpec {
  const text = s.trim();
  if (text === "host") return { kind: "host" };
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  if (kind === "debian") {
    const d = DEBIAN_SUITES.find((x) => x.suite === rest || x.release === rest);
    if (!d) {
      const what = rest ? `unknown Debian suite "${rest}"` : "give a suite";
      throw new NsmError("E_USAGE", `userspace "${s}": ${what}: debian:<suite> (${suites()})`);
    }
    return { kind: "debian", suite: d.suite };
  }
  if (kind === "docker") {
    if (!IMAGE.test(rest) || rest.length > 255) {
      throw new NsmError(
        "E_USAGE",
        `userspace "${s}": expected docker:<image>, an image reference such as docker:debian:trixie or docker:registry.example:5000/team/tools:1.2`,
      );
    }
    return { kind: "docker", image: rest };
  }
  throw new NsmError("E_USAGE", `userspace "${s}" is not a userspace spec: expected ${ACCEPTED}`);
}

/** The canonical text of a spec; parseUserspaceSpec(formatUserspaceSpec(u)) equals u. */
export function formatUserspaceSpec(u: UserspaceSpec): string {
  switch (u.kind) {
    case "host":
      return "host";
    case "debian":
      return `debian:${u.suite}`;
    case "docker":
      return `docker:${u.image}`;
  }
}

/** Parses `host,debian:bullseye`; rejects empty items and duplicates. */
export function parseUserspaceList(s: string): UserspaceSpec[] {
  const items = s.split(",").map((i) => i.trim());
  if (items.some((i) => i === "")) {
    throw new NsmError(
      "E_USAGE",
      `userspace list "${s}" has an empty item: expected e.g. host,debian:bullseye`,
    );
  }
  const seen = new Set<string>();
  return items.map((item) => {
    const spec = parseUserspaceSpec(item);
    const key = formatUserspaceSpec(spec);
    if (seen.has(key)) throw new NsmError("E_USAGE", `userspace list "${s}" names ${key} twice`);
    seen.add(key);
    return spec;
  });
}

/** The local image a debian spec is imported as; a docker spec's image as given. */
export function imageOf(u: Exclude<UserspaceSpec, { kind: "host" }>): string {
  return u.kind === "debian" ? `nsmatrix/userspace:debian-${u.suite}` : u.image;
}
