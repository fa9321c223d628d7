// The userspace axis without root: specs, the debootstrap and import commands, the container's
// options, tool versions, the cache, and a column without an engine.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { containerBackend, scriptCommand } from "../../../src/backends/container.js";
import { columnContainer } from "../../../src/backends/container-lab.js";
import { loadScenario } from "../../../src/model/index.js";
import { runMatrix } from "../../../src/run/matrix.js";
import { debootstrapArgs, importCommand, phaseOf } from "../../../src/userspace/build.js";
import { listUserspaces, MANIFEST, removeUserspace } from "../../../src/userspace/cache.js";
import {
  formatUserspaceSpec,
  imageOf,
  parseUserspaceList,
  parseUserspaceSpec,
} from "../../../src/userspace/spec.js";
import { parseToolVersions } from "../../../src/userspace/tools.js";

describe("userspace specs", () => {
  it.each([
    ["host", { kind: "host" }],
    ["debian:bullseye", { kind: "debian", suite: "bullseye" }],
    ["debian:11", { kind: "debian", suite: "bullseye" }],
    [" debian:trixie ", { kind: "debian", suite: "trixie" }],
    ["docker:debian:trixie", { kind: "docker", image: "debian:trixie" }],
    [
      "docker:registry.example:5000/team/tools:1.2",
      { kind: "docker", image: "registry.example:5000/team/tools:1.2" },
    ],
  ])("%s parses, and prints back the same", (text, spec) => {
    const u = parseUserspaceSpec(text);
    expect(u).toEqual(spec);
    expect(parseUserspaceSpec(formatUserspaceSpec(u))).toEqual(u);
  });

  it.each([
    [
      "debian:buster",
      /unknown Debian suite "buster": debian:<suite> \(bullseye \(11\), bookworm \(12\), trixie \(13\)\)/,
    ],
    ["debian:", /give a suite/],
    ["docker:", /expected docker:<image>/],
    ["docker:-v/:/x", /expected docker:<image>/],
    ["docker:a b", /expected docker:<image>/],
    ["docker:$(reboot)", /expected docker:<image>/],
    ["docker:Debian", /expected docker:<image>/],
    ["bookworm", /is not a userspace spec: expected host, debian:<suite> or docker:<image>/],
  ])("%s is refused: %s", (text, message) => {
    expect(() => parseUserspaceSpec(text)).toThrow(message);
  });

  it("refuses empty items and the same userspace twice (debian:11 is bullseye)", () => {
    expect(() => parseUserspaceList("host,,debian:bullseye")).toThrow(/empty item/);
    expect(() => parseUserspaceList("debian:bullseye,debian:11")).toThrow(/names debian:bullseye twice/);
    expect(parseUserspaceList("host,debian:bookworm").map(formatUserspaceSpec)).toEqual([
      "host",
      "debian:bookworm",
    ]);
  });

  it("imports a debian suite as a local image, and uses a docker image as given", () => {
    expect(imageOf({ kind: "debian", suite: "bullseye" })).toBe("nsmatrix/userspace:debian-bullseye");
    expect(imageOf({ kind: "docker", image: "debian:trixie" })).toBe("debian:trixie");
  });
});

describe("building a userspace", () => {
  it("debootstraps a minimal base with every tool the scripts call", () => {
    expect(debootstrapArgs("bullseye", "/c/root", "http://mirror.example/debian")).toEqual([
      "--variant=minbase",
      "--include=iproute2,nftables,iptables,ebtables,socat,kmod,procps,iputils-ping,tcpdump,conntrack",
      "bullseye",
      "/c/root",
      "http://mirror.example/debian",
    ]);
  });

  it("imports with tar piped to docker import, the paths as arguments and never as shell text", () => {
    const dir = mkdtempSync(join(tmpdir(), "nsmatrix-import-"));
    const root = join(dir, "root $(touch pwned)");
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "bin", "sh"), "not really a shell");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    // A stand-in docker: records its arguments and the size of the tar it was given.
    writeFileSync(
      join(bin, "docker"),
      `#!/bin/sh\nprintf '%s\\n' "$@" >"${dir}/args"\nwc -c >"${dir}/bytes"\n`,
    );
    chmodSync(join(bin, "docker"), 0o755);
    const [file, args] = importCommand(root, "nsmatrix/userspace:debian-bullseye", "debian:bullseye");
    execFileSync(file, args, { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(readFileSync(join(dir, "args"), "utf8").split("\n")).toEqual([
      "import",
      "--change",
      "LABEL nsmatrix.userspace=debian:bullseye",
      "-",
      "nsmatrix/userspace:debian-bullseye",
      "",
    ]);
    expect(Number(readFileSync(join(dir, "bytes"), "utf8"))).toBeGreaterThan(1000);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows debootstrap's few hundred lines as one line per phase", () => {
    expect(phaseOf("I: Retrieving libc6 2.31-13")).toBe("retrieving packages");
    expect(phaseOf("I: Base system installed successfully.")).toBe("base system installed");
    expect(phaseOf("W: something")).toBeUndefined();
  });
});

describe("the cache", () => {
  const manifest = {
    spec: "debian:bullseye",
    suite: "bullseye",
    mirror: "http://deb.debian.org/debian",
    packages: ["iproute2"],
    image: "nsmatrix/userspace:debian-bullseye",
    builtAt: "2026-12-02T00:00:00.000Z",
    tools: { ip: "5.9.0" },
  };

  it("never lists a half-built root, and rm removes it with the finished one", () => {
    const dir = mkdtempSync(join(tmpdir(), "nsmatrix-us-"));
    mkdirSync(join(dir, "debian-bullseye", "root", "bin"), { recursive: true });
    writeFileSync(join(dir, "debian-bullseye", MANIFEST), JSON.stringify(manifest));
    // Killed mid-build: a root without a manifest, and a partial directory.
    mkdirSync(join(dir, "debian-trixie", "root", "bin"), { recursive: true });
    mkdirSync(join(dir, ".partial-debian-bullseye-0badc0de", "root"), { recursive: true });
    expect(listUserspaces(dir).map((u) => [u.spec, u.root])).toEqual([
      ["debian:bullseye", join(dir, "debian-bullseye", "root")],
    ]);
    expect(removeUserspace(dir, { kind: "debian", suite: "bullseye" }).sort()).toEqual([
      join(dir, ".partial-debian-bullseye-0badc0de"),
      join(dir, "debian-bullseye"),
    ]);
    expect(listUserspaces(dir)).toEqual([]);
    expect(() => removeUserspace(dir, { kind: "docker", image: "x" })).toThrow(/only debian:<suite>/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("tool versions", () => {
  it("reads each tool's version, past warnings, and says which are missing", () => {
    const out = [
      "ip\tCouldn't find runtime libbpf version - falling back to compile-time value! ip utility, iproute2-5.9.0, libbpf 0.3.0 ",
      "nft\tnftables v0.9.8 (E.D.S.) ",
      "iptables\tiptables v1.8.7 (nf_tables) ",
      "ebtables\tmissing",
      "other\tv9",
    ].join("\n");
    expect(parseToolVersions(out)).toEqual({
      ip: "5.9.0",
      nft: "0.9.8",
      iptables: "1.8.7 (nf_tables)",
      ebtables: "missing",
    });
    expect(
      parseToolVersions("ip\tip utility, iproute2-6.15.0, libbpf 1.5.0\niptables\tiptables v1.8.11 (legacy)"),
    ).toEqual({
      ip: "6.15.0",
      iptables: "1.8.11 (legacy)",
    });
  });
});

describe("the container", () => {
  it("gets the capabilities to build namespaces and firewalls, no network, a tmpfs /run, and labels", () => {
    // testcontainers keeps the definition in protected fields; these are what the engine receives.
    const c = columnContainer(
      "nsmatrix/userspace:debian-bullseye",
      "0badc0de",
      "debian:bullseye",
      90,
    ) as unknown as {
      createOpts: Record<string, unknown>;
      hostConfig: Record<string, unknown>;
      networkMode: string;
    };
    expect(c.createOpts).toMatchObject({
      name: "nsm-0badc0de",
      Image: "nsmatrix/userspace:debian-bullseye",
      Cmd: ["sleep", "90"],
      Labels: expect.objectContaining({
        "nsmatrix.run": "0badc0de",
        "nsmatrix.userspace": "debian:bullseye",
        "nsmatrix.owner": expect.stringMatching(new RegExp(`^${process.pid}:\\d+$`)),
      }),
    });
    expect(c.networkMode).toBe("none");
    expect(c.hostConfig).toMatchObject({
      CapAdd: ["NET_ADMIN", "SYS_ADMIN"],
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      Tmpfs: { "/run": "rw,mode=755", "/tmp": "rw,mode=1777" },
      AutoRemove: true,
    });
    expect(c.hostConfig.Privileged).toBeFalsy();
  });

  it("runs each script bounded by timeout(1), in its own mount and PID namespace", () => {
    expect(scriptCommand("/nsm-0badc0de.sh", 12_300)).toEqual([
      "timeout",
      "--kill-after=5",
      "13",
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "--pid",
      "--fork",
      "--kill-child",
      "--mount-proc",
      "sh",
      "-c",
      expect.stringMatching(/mount -t tmpfs .* \/run\/netns .*&& exec sh \/nsm-0badc0de\.sh$/),
    ]);
  });

  it("makes every check of a column skip, with the reason, when no engine runs", async () => {
    const sc = loadScenario("test/fixtures/scenarios/two-hosts.yaml");
    const image = async () => {
      throw new Error("never asked for an image");
    };
    const backend = containerBackend(
      "6.1.0-50-amd64",
      "debian:bullseye",
      image,
      async () => "docker is not installed",
    );
    const report = await runMatrix([sc], [backend], {
      repeat: 1,
      jobs: 1,
      kernelJobs: 1,
      variants: ["plain"],
    });
    expect(report.columns).toEqual([
      {
        kernel: "6.1.0-50-amd64",
        userspace: "debian:bullseye",
        spec: "host",
        machine: "host",
        host: hostname(),
        durationMs: expect.any(Number),
      },
    ]);
    expect(
      new Set(report.results.map((r) => `${r.userspace} ${r.verdict} ${"reason" in r ? r.reason : ""}`)),
    ).toEqual(new Set(["debian:bullseye skip no container engine: docker is not installed"]));
    expect(report.results).toHaveLength(5);
  });
});
