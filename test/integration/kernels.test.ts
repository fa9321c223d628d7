// Fetches debian:6.1 for real into the default cache, so CI downloads it once and later tests reuse it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CachedKernel, fetchDebianKernel, resolveKernel } from "../../src/kernels/index.js";
import { exec } from "../../src/system/exec.js";

const INDEX = "http://deb.debian.org/debian/dists/bookworm/InRelease";
const online = await fetch(INDEX, { method: "HEAD", signal: AbortSignal.timeout(15_000) }).then(
  (r) => r.ok,
  () => false,
);
if (!online)
  console.warn(`skipping kernel fetches: ${INDEX} is unreachable (they need the network, not root)`);

/** The global fetch, counting the URLs asked for. */
function countingFetch() {
  const urls: string[] = [];
  const counted: typeof fetch = (input, init) => {
    urls.push(String(input));
    return fetch(input, init);
  };
  return { fetch: counted, urls };
}

describe.skipIf(!online)("debian:6.1 from deb.debian.org", () => {
  let k: CachedKernel;
  beforeAll(async () => {
    k = await fetchDebianKernel("6.1", { exec, fetch: countingFetch().fetch });
  }, 600_000);

  it("is unpacked with a complete kernel.json, a vmlinuz and modules.dep naming br_netfilter", () => {
    const json = JSON.parse(readFileSync(join(k.dir, "kernel.json"), "utf8"));
    expect(json).toMatchObject({
      spec: "debian:6.1",
      release: k.release,
      package: `linux-image-${k.release}`,
    });
    expect(k.release).toMatch(/^6\.1\.0-\d+-amd64$/);
    expect(existsSync(k.vmlinuz)).toBe(true);
    expect(readFileSync(join(k.modulesRoot, k.release, "modules.dep"), "utf8")).toContain("br_netfilter");
    expect(existsSync(join(k.dir, "package.deb"))).toBe(false);
  });

  it("comes from the cache the second time: a fetch reads only the index, a resolve nothing", async () => {
    const again = countingFetch();
    const second = await fetchDebianKernel("6.1", { exec, fetch: again.fetch });
    expect(second).toEqual(k);
    expect(again.urls).toEqual(["http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz"]);
    const resolved = countingFetch();
    const g = await resolveKernel("debian:6.1", { exec, fetch: resolved.fetch });
    expect(g).toEqual({
      spec: "debian:6.1",
      release: k.release,
      vmlinuz: k.vmlinuz,
      modulesRoot: k.modulesRoot,
      config: join(k.dir, "boot", `config-${k.release}`),
    });
    // The kernel's own config, which a selftest folder's config file is checked against.
    expect(readFileSync(g?.config ?? "", "utf8")).toMatch(/^CONFIG_BRIDGE=m$/m);
    expect(resolved.urls).toEqual([]);
  }, 600_000);

  it("reads the same release from the image's bzImage header as a file: kernel", async () => {
    const g = await resolveKernel(`file:${k.vmlinuz}:${k.modulesRoot}`, { exec });
    expect(g).toMatchObject({ release: k.release, modulesRoot: k.modulesRoot });
  });
});
