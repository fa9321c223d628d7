import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kernelsCommand } from "../../../src/cli/kernels.js";
import { NsmError } from "../../../src/errors.js";
import {
  defaultCacheDir,
  fetchDebianKernel,
  type KernelEvent,
  listCached,
  removeCached,
  resolveKernel,
} from "../../../src/kernels/index.js";
import { fakeBzImage, fakeExec, fakeFetch, stanza } from "../../fixtures/kernels/fake.js";

const INDEX = "dists/bookworm/main/binary-amd64/Packages.xz";
const deb = Buffer.from("a fake .deb");
let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), "nsm-kernels-"));
});
afterEach(() => {
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("fetchDebianKernel", () => {
  it("rejects a download whose SHA256 differs from the index, naming both, and leaves nothing behind", async () => {
    const real = readFileSync("test/fixtures/kernels/Packages-bookworm.txt", "utf8");
    const { fetch } = fakeFetch({ [INDEX]: real, ".deb": deb });
    const { exec, calls } = fakeExec("6.1.0-50-amd64");
    const err = await fetchDebianKernel("6.1", { exec, fetch, cacheDir }).catch((e) => e);
    expect(err).toBeInstanceOf(NsmError);
    expect(err.code).toBe("E_BACKEND");
    const got = createHash("sha256").update(deb).digest("hex");
    expect(err.message).toBe(
      "http://deb.debian.org/debian/pool/main/l/linux-signed-amd64/linux-image-6.1.0-50-amd64_6.1.176-1_amd64.deb: " +
        "SHA256 mismatch: the index says 7b5597492a0a65aee61985a492e6bcc3f2cde830072a0e3b3d8c7e1b90279bd3, " +
        `the download has ${got} (11 bytes); it was deleted. Try again, or use another mirror`,
    );
    expect(calls.filter((c) => c.startsWith("dpkg-deb"))).toEqual([]);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it("says which URL failed when the archive answers 404", async () => {
    const { fetch } = fakeFetch({});
    const err = await fetchDebianKernel("6.12", { exec: fakeExec("x").exec, fetch, cacheDir }).catch(
      (e) => e,
    );
    expect(err.message).toBe(
      "download of http://deb.debian.org/debian/dists/trixie/main/binary-amd64/Packages.xz failed: HTTP 404 Not Found",
    );
  });

  it("unpacks /usr/lib/modules kernels (6.12) and runs depmod on the usr base", async () => {
    const release = "6.12.117+deb13-amd64";
    const { fetch } = fakeFetch({
      "dists/trixie/main/binary-amd64/Packages.xz": stanza(`linux-image-${release}`, "6.12.117-1", deb),
      ".deb": deb,
    });
    const { exec, calls } = fakeExec(release, "usr/lib/modules");
    const k = await fetchDebianKernel("6.12", { exec, fetch, cacheDir });
    const dir = join(cacheDir, `debian-6.12-${release}`);
    expect(k).toMatchObject({ release, dir, modulesRoot: join(dir, "usr/lib/modules") });
    expect(calls.find((c) => c.startsWith("depmod"))).toMatch(/^depmod -b \S+\/\.staging-\d+-\w+\/usr 6\.12/);
    expect(readdirSync(dir).sort()).toEqual(["boot", "kernel.json", "usr"]);
  });
});

describe("the kernel cache", () => {
  const release = "6.1.0-50-amd64";
  const archive = () =>
    fakeFetch({ [INDEX]: stanza(`linux-image-${release}`, "6.1.176-1", deb), ".deb": deb });

  it("never uses a directory without kernel.json, and the next fetch replaces it", async () => {
    const partial = join(cacheDir, `debian-6.1-${release}`);
    mkdirSync(join(partial, "boot"), { recursive: true });
    writeFileSync(join(partial, "boot", `vmlinuz-${release}`), "half");
    const stale = join(cacheDir, ".staging-999999999-abc");
    mkdirSync(stale);
    expect(listCached(cacheDir)).toEqual([]);

    const { fetch, urls } = archive();
    const events: KernelEvent[] = [];
    const k = await resolveKernel("debian:6.1", {
      exec: fakeExec(release).exec,
      fetch,
      cacheDir,
      progress: (e) => events.push(e),
    });
    expect(urls.map((u) => u.split("/").pop())).toEqual([
      "Packages.xz",
      `linux-image-${release}_6.1.176-1_amd64.deb`,
    ]);
    expect(
      events
        .filter((e) => e.kind === "removed")
        .map((e) => e.dir)
        .sort(),
    ).toEqual([stale, partial].sort());
    expect(k).toEqual({
      spec: "debian:6.1",
      release,
      vmlinuz: join(partial, "boot", `vmlinuz-${release}`),
      modulesRoot: join(partial, "lib/modules"),
    });
    expect(JSON.parse(readFileSync(join(partial, "kernel.json"), "utf8"))).toMatchObject({
      vmlinuz: `boot/vmlinuz-${release}`,
      modulesRoot: "lib/modules",
      package: `linux-image-${release}`,
    });
    expect(existsSync(join(partial, "package.deb"))).toBe(false);
    expect(readdirSync(cacheDir)).toEqual([`debian-6.1-${release}`]);
  });

  it("resolves a cached series without the network, and a fetch only reads the index", async () => {
    const first = archive();
    await fetchDebianKernel("6.1", { exec: fakeExec(release).exec, fetch: first.fetch, cacheDir });
    const again = archive();
    expect(
      await resolveKernel("debian:6.1", { exec: fakeExec(release).exec, fetch: again.fetch, cacheDir }),
    ).toMatchObject({ release });
    expect(again.urls).toEqual([]);
    const { exec, calls } = fakeExec(release);
    await fetchDebianKernel("6.1", { exec, fetch: again.fetch, cacheDir });
    expect(again.urls.map((u) => u.split("/").pop())).toEqual(["Packages.xz"]);
    expect(calls).toEqual([expect.stringMatching(/^xz -d -f /)]);
  });

  it("lists, and removes by spec", async () => {
    await fetchDebianKernel("6.1", { exec: fakeExec(release).exec, fetch: archive().fetch, cacheDir });
    expect(listCached(cacheDir).map((k) => [k.spec, k.release, k.version])).toEqual([
      ["debian:6.1", release, "6.1.176-1"],
    ]);
    expect(() => removeCached(cacheDir, "host")).toThrow(
      "cannot remove host: only debian:<series> kernels are cached",
    );
    expect(removeCached(cacheDir, "debian:6.1")).toEqual([join(cacheDir, `debian-6.1-${release}`)]);
    expect(listCached(cacheDir)).toEqual([]);
  });

  it("resolves host to nothing: the host backend needs no image", async () => {
    expect(await resolveKernel("host", { exec: fakeExec("x").exec, cacheDir })).toBeUndefined();
  });
});

describe("file: kernels", () => {
  const release = "6.6.6-custom";
  let vmlinuz: string;
  let modules: string;
  beforeEach(() => {
    vmlinuz = join(cacheDir, "bzImage");
    writeFileSync(vmlinuz, fakeBzImage(`${release} (me@host) #1 SMP`));
    modules = join(cacheDir, "mods", "lib", "modules");
    mkdirSync(join(modules, release, "kernel"), { recursive: true });
  });

  it("takes the release from the bzImage header and accepts either modules directory", async () => {
    const want = { release, vmlinuz, modulesRoot: modules };
    const opts = { exec: fakeExec("x").exec, cacheDir };
    expect(await resolveKernel(`file:${vmlinuz}:${modules}`, opts)).toMatchObject(want);
    expect(await resolveKernel(`file:${vmlinuz}:${join(modules, release)}`, opts)).toMatchObject(want);
  });

  it("says so when the image and the modules disagree, or the modules are missing", async () => {
    const opts = { exec: fakeExec("x").exec, cacheDir };
    mkdirSync(join(modules, "5.0.0", "kernel"), { recursive: true });
    await expect(resolveKernel(`file:${vmlinuz}:${join(modules, "5.0.0")}`, opts)).rejects.toThrow(
      `is release ${release} but the modules in ${join(modules, "5.0.0")} are for 5.0.0`,
    );
    await expect(resolveKernel(`file:${vmlinuz}:${cacheDir}`, opts)).rejects.toThrow(
      `no modules for ${release} in ${cacheDir}; give them as file:`,
    );
    await expect(resolveKernel(`file:${join(cacheDir, "nope")}`, opts)).rejects.toThrow("is not a file");
  });
});

describe("kernelsCommand", () => {
  it("fetch removes older releases of the series unless --keep-old", async () => {
    const older = "6.1.0-47-amd64";
    const index = (rel: string, v: string) =>
      fakeFetch({ [INDEX]: stanza(`linux-image-${rel}`, v, deb), ".deb": deb });
    await fetchDebianKernel("6.1", {
      exec: fakeExec(older).exec,
      fetch: index(older, "6.1.170-3").fetch,
      cacheDir,
    });
    const err: string[] = [];
    const deps = {
      exec: fakeExec("6.1.0-50-amd64").exec,
      fetch: index("6.1.0-50-amd64", "6.1.176-1").fetch,
      stdout: { write: () => true },
      stderr: { write: (s: string) => err.push(s) },
    };
    await kernelsCommand(deps).parseAsync(["--cache-dir", cacheDir, "fetch", "--keep-old", "debian:6.1"], {
      from: "user",
    });
    expect(listCached(cacheDir).map((k) => k.release)).toEqual(["6.1.0-50-amd64", older]);
    await kernelsCommand(deps).parseAsync(["--cache-dir", cacheDir, "fetch", "debian:6.1"], { from: "user" });
    expect(listCached(cacheDir).map((k) => k.release)).toEqual(["6.1.0-50-amd64"]);
    expect(err.join("")).toContain(`removed ${join(cacheDir, `debian-6.1-${older}`)} (an older release)`);
  });

  it("fetches, lists and removes, results on stdout and progress on stderr", async () => {
    const release = "6.1.0-50-amd64";
    const { fetch } = fakeFetch({ [INDEX]: stanza(`linux-image-${release}`, "6.1.176-1", deb), ".deb": deb });
    const { exec } = fakeExec(release);
    const out: string[] = [];
    const err: string[] = [];
    const deps = {
      exec,
      fetch,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    };
    const run = (...args: string[]) =>
      kernelsCommand(deps).parseAsync(["--cache-dir", cacheDir, ...args], { from: "user" });
    await run("fetch", "debian:6.1,host");
    const dir = join(cacheDir, `debian-6.1-${release}`);
    expect(out).toEqual([`debian:6.1\t${release}\t${dir}\n`, "host\t(the running kernel)\n"]);
    expect(err.join("")).toContain(`✓ debian:6.1: ${release} in ${dir}`);
    out.length = 0;
    await run("list");
    expect(out).toEqual([`debian:6.1\t${release}\t6.1.176-1\t?\t${dir}\n`]);
    out.length = 0;
    await run("rm", "debian:6.1");
    expect(out).toEqual([`removed ${dir}\n`]);
  });

  it("keeps its cache in $XDG_CACHE_HOME or ~/.cache", () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x/cache" })).toBe("/x/cache/nsmatrix/kernels");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "relative" })).toMatch(/\/\.cache\/nsmatrix\/kernels$/);
  });
});
