import { readFileSync } from "node:fs";
import { describe, expect, it, test } from "vitest";
import { machineState } from "../../../src/backends/vagrant.js";
import { NsmError } from "../../../src/errors.js";
import { bzImageRelease, bzImageVersion } from "../../../src/kernels/bzimage.js";
import { imageRelease, newestImage, parsePackages } from "../../../src/kernels/debian-index.js";
import { compareDebianVersions } from "../../../src/kernels/debian-version.js";
import { kernelPackages } from "../../../src/kernels/fetch.js";
import { type KernelEvent, kernelProgressPrinter } from "../../../src/kernels/progress.js";
import { formatKernelSpec, parseKernelList, parseKernelSpec } from "../../../src/kernels/spec.js";
import { fakeBzImage } from "../../fixtures/kernels/fake.js";

// Real stanzas from deb.debian.org (dists/<suite>/main/binary-amd64/Packages.xz), a few per suite.
const fixture = (suite: string) => readFileSync(`test/fixtures/kernels/Packages-${suite}.txt`, "utf8");

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NsmError);
    expect((e as NsmError).code).toBe("E_USAGE");
    return (e as NsmError).message;
  }
  throw new Error("expected an E_USAGE error");
}

describe("parseKernelSpec", () => {
  test.each([
    ["host", { kind: "host" }],
    [" host ", { kind: "host" }],
    ["debian:5.10", { kind: "debian", series: "5.10" }],
    ["debian:6.1", { kind: "debian", series: "6.1" }],
    ["debian:6.12", { kind: "debian", series: "6.12" }],
    ["file:/boot/vmlinuz", { kind: "file", vmlinuz: "/boot/vmlinuz" }],
    ["file:bzImage:mods/lib/modules", { kind: "file", vmlinuz: "bzImage", modules: "mods/lib/modules" }],
    ["vagrant:el7", { kind: "vagrant", machine: "el7" }],
    ["vagrant:stretch", { kind: "vagrant", machine: "stretch" }],
  ])("reads %j", (text, spec) => {
    expect(parseKernelSpec(text)).toEqual(spec);
    expect(parseKernelSpec(formatKernelSpec(parseKernelSpec(text)))).toEqual(spec);
  });

  test.each([
    [
      "",
      'kernel "" is not a kernel spec: expected host, debian:<series>, file:<vmlinuz>[:<modules dir>] or vagrant:<machine>',
    ],
    [
      "6.1",
      'kernel "6.1" is not a kernel spec (did you mean debian:6.1?): expected host, debian:<series>, file:<vmlinuz>[:<modules dir>] or vagrant:<machine>',
    ],
    [
      "debian",
      'kernel "debian": give a series: debian:<series> (5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), bookworm-backports, trixie-backports, forky, sid, experimental)',
    ],
    [
      "debian:",
      'kernel "debian:": give a series: debian:<series> (5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), bookworm-backports, trixie-backports, forky, sid, experimental)',
    ],
    [
      "debian:bookworm",
      'kernel "debian:bookworm": unknown Debian series "bookworm" (did you mean debian:6.1?); known: 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), bookworm-backports, trixie-backports, forky, sid, experimental;',
    ],
    [
      "debian:4.9",
      'kernel "debian:4.9": unknown Debian series "4.9"; known: 5.10 (bullseye), 6.1 (bookworm), 6.12 (trixie), bookworm-backports, trixie-backports, forky, sid, experimental; for 3.10 and 4.9 see the Vagrantfile: vagrant:el7, vagrant:stretch',
    ],
    ["file:", 'kernel "file:": expected file:<vmlinuz>[:<modules dir>] (paths without ":")'],
    ["file:a:", 'kernel "file:a:": expected file:<vmlinuz>[:<modules dir>] (paths without ":")'],
    ["file:a:b:c", 'kernel "file:a:b:c": expected file:<vmlinuz>[:<modules dir>] (paths without ":")'],
    ["vagrant:", 'kernel "vagrant:": expected vagrant:<machine>, a machine of the Vagrantfile'],
    ["vagrant:el7;reboot", 'kernel "vagrant:el7;reboot": expected vagrant:<machine>'],
    ["vagrant:-x", 'kernel "vagrant:-x": expected vagrant:<machine>'],
  ])("rejects %j, saying what is accepted", (text, message) => {
    expect(usageError(() => parseKernelSpec(text))).toContain(message);
  });
});

describe("machineState (vagrant status --machine-readable)", () => {
  const out = [
    "1700000000,el7,metadata,provider,libvirt",
    "1700000000,el7,provider-name,libvirt",
    "1700000000,el7,state,running",
    "1700000000,stretch,state,not_created",
    "1700000000,,ui,info,Current machine states:",
  ].join("\n");
  it("reads the state of the named machine only", () => {
    expect(machineState(out, "el7")).toBe("running");
    expect(machineState(out, "stretch")).toBe("not_created");
    expect(machineState(out, "jessie")).toBeUndefined();
  });
});

describe("parseKernelList", () => {
  it("splits a comma list and trims each item", () => {
    expect(parseKernelList("host, debian:6.1,debian:6.12")).toEqual([
      { kind: "host" },
      { kind: "debian", series: "6.1" },
      { kind: "debian", series: "6.12" },
    ]);
  });

  test.each([
    ["host,,debian:6.1", 'kernel list "host,,debian:6.1" has an empty item: expected e.g. host,debian:6.1'],
    ["host,", 'kernel list "host," has an empty item'],
    ["", 'kernel list "" has an empty item'],
    ["debian:6.1,host,debian:6.1", 'kernel list "debian:6.1,host,debian:6.1" names debian:6.1 twice'],
    ["host, host", 'kernel list "host, host" names host twice'],
    ["host,debian:7", 'kernel "debian:7": unknown Debian series "7"'],
  ])("rejects %j", (text, message) => {
    expect(usageError(() => parseKernelList(text))).toContain(message);
  });
});

describe("compareDebianVersions", () => {
  test.each([
    ["1.0~rc1", "1.0"],
    ["1.0~~", "1.0~"],
    ["1.0~", "1.0"],
    ["1.0", "1.0a"],
    ["1.0", "1.0+b1"],
    ["1.0a", "1.0+"],
    ["1.9", "1.10"],
    ["6.1.170-3", "6.1.176-1"],
    ["6.1.176-1", "6.1.176-2"],
    ["6.12.107-1", "6.12.117-1"],
    ["5.10.218-1", "5.10.223-1"],
    ["1.0-1", "1.0-1.1"],
    ["1.0-9", "1.0-10"],
    ["2.0", "1:1.0"],
    ["1:9.9", "2:0.1"],
    ["1.0-1~bpo12+1", "1.0-1"],
  ])("%s sorts before %s", (a, b) => {
    expect(compareDebianVersions(a, b)).toBe(-1);
    expect(compareDebianVersions(b, a)).toBe(1);
  });

  test.each([
    ["1.0", "1.0"],
    ["0:1.0", "1.0"],
    ["1.01", "1.1"],
    ["1.0", "1.0-0"],
  ])("%s equals %s", (a, b) => {
    expect(compareDebianVersions(a, b)).toBe(0);
  });
});

describe("parsePackages", () => {
  it("reads every stanza with the fields a fetch needs", () => {
    const stanzas = parsePackages(fixture("bookworm"));
    expect(stanzas).toHaveLength(11);
    expect(stanzas.find((s) => s.package === "linux-image-6.1.0-50-amd64")).toEqual({
      package: "linux-image-6.1.0-50-amd64",
      version: "6.1.176-1",
      filename: "pool/main/l/linux-signed-amd64/linux-image-6.1.0-50-amd64_6.1.176-1_amd64.deb",
      sha256: "7b5597492a0a65aee61985a492e6bcc3f2cde830072a0e3b3d8c7e1b90279bd3",
      size: 70305560,
      depends: "kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool",
    });
  });

  it("joins continuation lines and ignores field-name case and CRLF", () => {
    const text =
      "package: a\r\nVersion: 1\r\nDepends: b,\r\n c\r\nFilename: p/a.deb\r\nSHA256: ab\r\nSize: 3\r\n\r\nPackage: no-file\n";
    expect(parsePackages(text)).toEqual([
      { package: "a", version: "1", depends: "b,\nc", filename: "p/a.deb", sha256: "ab", size: 3 },
    ]);
  });
});

describe("newestImage", () => {
  test.each([
    ["bullseye", "5.10", "linux-image-5.10.0-32-amd64", "5.10.223-1"],
    ["bookworm", "6.1", "linux-image-6.1.0-50-amd64", "6.1.176-1"],
    ["trixie", "6.12", "linux-image-6.12.117+deb13-amd64", "6.12.117-1"],
  ])("picks the plain amd64 image from %s for %s: %s", (suite, series, pkg, version) => {
    const stanzas = parsePackages(fixture(suite));
    expect(newestImage(stanzas, series)).toMatchObject({ package: pkg, version });
    expect(newestImage([...stanzas].reverse(), series)).toMatchObject({ package: pkg, version });
  });

  it("never picks cloud, rt, dbg, unsigned or meta packages, nor another series", () => {
    const stanzas = parsePackages(fixture("bookworm")).filter(
      (s) => !/^linux-image-6\.1\.0-\d+-amd64$/.test(s.package),
    );
    expect(stanzas.map((s) => s.package)).toContain("linux-image-6.1.0-50-cloud-amd64");
    expect(newestImage(stanzas, "6.1")).toBeUndefined();
    expect(newestImage(parsePackages(fixture("bookworm")), "6.12")).toBeUndefined();
  });

  it("compares Debian versions, not ABI numbers or index order", () => {
    const s = (abi: number, version: string) => ({
      package: `linux-image-6.1.0-${abi}-amd64`,
      version,
      filename: "f",
      sha256: "0",
      size: 1,
    });
    expect(newestImage([s(9, "6.1.99-1"), s(10, "6.1.100-1~rc1"), s(8, "6.1.98-1")], "6.1")?.version).toBe(
      "6.1.100-1~rc1",
    );
  });
});

describe("bzImageVersion", () => {
  it("reads the version string the setup header points at", () => {
    const head = fakeBzImage("6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC");
    expect(bzImageVersion(head)).toBe(
      "6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC",
    );
    expect(bzImageRelease(head)).toBe("6.1.0-50-amd64");
  });

  test.each([
    ["an empty file", Buffer.alloc(0)],
    ["an ELF vmlinux", Buffer.concat([Buffer.from("\x7fELF"), Buffer.alloc(0x800)])],
    [
      "a header whose pointer runs off the end",
      (() => {
        const b = fakeBzImage("x");
        b.writeUInt16LE(0x7000, 0x20e);
        return b;
      })(),
    ],
  ])("gives undefined for %s", (_what, head) => {
    expect(bzImageVersion(head)).toBeUndefined();
  });
});

describe("kernelProgressPrinter", () => {
  const events = (total: number, ...bytes: number[]): KernelEvent[] =>
    bytes.map((b) => ({ kind: "download", file: "k.deb", bytes: b, total }));

  it("prints a line every 10% when stderr is not a TTY", () => {
    const out: string[] = [];
    const print = kernelProgressPrinter({ write: (s) => out.push(s), isTTY: false });
    for (const e of events(100e6, 0, 5e6, 9e6, 12e6, 19e6, 50e6, 100e6)) print(e);
    expect(out.map((l) => l.match(/\d+%/)?.[0])).toEqual(["0%", "12%", "50%", "100%"]);
  });

  it("rewrites one line with \\r on a TTY and ends it when the download is done", () => {
    const out: string[] = [];
    const print = kernelProgressPrinter({ write: (s) => out.push(s), isTTY: true });
    for (const e of events(70.3e6, 0, 35.15e6, 70.3e6)) print(e);
    print({ kind: "extract", spec: "debian:6.1", file: "k.deb" });
    expect(out).toEqual([
      "\r  k.deb  [..........]   0%     0.0 / 70.3 MB\x1b[K",
      "\r  k.deb  [#####.....]  50%    35.1 / 70.3 MB\x1b[K",
      "\r  k.deb  [##########] 100%    70.3 / 70.3 MB\x1b[K\n",
      "  debian:6.1: extracting k.deb and running depmod\n",
    ]);
  });
});

describe("the newest kernels: a suite's newest image, whatever its series", () => {
  it("takes debian:sid, experimental, forky and the backports", () => {
    for (const s of ["sid", "experimental", "forky", "bookworm-backports", "trixie-backports"])
      expect(parseKernelSpec(`debian:${s}`)).toEqual({ kind: "debian", series: s });
  });

  it("reads their image names, and picks the newest by Debian version across series", () => {
    expect(imageRelease("sid", "linux-image-7.2.13+deb14-amd64")).toBe("7.2.13+deb14-amd64");
    expect(imageRelease("experimental", "linux-image-7.3-amd64")).toBe("7.3-amd64");
    expect(imageRelease("sid", "linux-image-7.2.13+deb14-cloud-amd64")).toBeUndefined();
    expect(imageRelease("sid", "linux-image-amd64")).toBeUndefined();
    const st = (pkg: string, version: string) => ({
      package: pkg,
      version,
      filename: "f",
      sha256: "s",
      size: 1,
    });
    const picked = newestImage(
      [
        st("linux-image-6.16.12+deb13-amd64", "6.16.12-1~bpo13+1"),
        st("linux-image-6.17.13+deb13-amd64", "6.17.13-1~bpo13+1"),
      ],
      "trixie-backports",
    );
    expect(picked?.package).toBe("linux-image-6.17.13+deb13-amd64");
  });

  it("fetches, from 7.x on, the binary, modules and base packages the signed image depends on", () => {
    const st = (pkg: string, depends?: string) => ({
      package: pkg,
      version: "7.2.13-1",
      filename: `pool/${pkg}.deb`,
      sha256: "s",
      size: 1,
      ...(depends ? { depends } : {}),
    });
    const rel = "7.2.13+deb14-amd64";
    const image = st(
      `linux-image-${rel}`,
      `dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-${rel} (= 7.2.13-1), linux-binary-${rel} (= 7.2.13-1), linux-modules-${rel} (= 7.2.13-1)`,
    );
    const all = [
      image,
      st(`linux-binary-${rel}`),
      st(`linux-modules-${rel}`),
      st(`linux-base-${rel}`),
      st("dracut"),
    ];
    expect(kernelPackages(all, image, rel).map((p) => p.package)).toEqual([
      `linux-image-${rel}`,
      `linux-base-${rel}`,
      `linux-binary-${rel}`,
      `linux-modules-${rel}`,
    ]);
    // A 6.x image holds everything itself.
    const old = st("linux-image-6.1.0-50-amd64", "kmod, linux-base (>= 4.3~), initramfs-tools");
    expect(kernelPackages([old], old, "6.1.0-50-amd64")).toEqual([old]);
  });
});
