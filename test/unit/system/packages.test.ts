// The one table of tools and their Debian packages: what setup.sh installs is what it lists.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PACKAGE_OF, PACKAGES, packagesFor, SCRIPT_TOOLS } from "../../../src/system/packages.js";

describe("the package table", () => {
  it("is what scripts/setup.sh reads and installs, for runs, guests, containers and tests", () => {
    const printed = execFileSync("bash", ["scripts/setup.sh", "--print"], { encoding: "utf8" })
      .trim()
      .split(" ");
    expect(printed).toEqual(packagesFor("run", "guest", "container", "test"));
    expect(printed).toContain("busybox-static");
  });

  it("names a package for every command a compiled script checks for", () => {
    for (const tool of [
      "ip",
      "bridge",
      "tc",
      "socat",
      "ping",
      "nsenter",
      "ip6tables-restore",
      "grep",
      "ethtool",
      "tracepath",
    ])
      expect([tool, PACKAGE_OF[tool]]).toEqual([tool, expect.any(String)]);
    expect(PACKAGE_OF["ebtables-nft"]).toBe("iptables");
  });

  it("keeps each row on one line of three strings, as setup.sh's awk reads it", () => {
    for (const [tool, pkg, need] of PACKAGES)
      expect(`${tool} ${pkg} ${need}`).toMatch(/^\S+ \S+ (run|on-use|guest|container|test)$/);
  });

  it("tells the commands scripts call (a guest's hot files) from those only the host uses", () => {
    expect(SCRIPT_TOOLS).toEqual(expect.arrayContaining(["ip", "socat", "nft", "tc", "ethtool"]));
    // A guest's initramfs carries the script tools: a browser or QEMU in it would not unpack.
    for (const t of ["chromium", "qemu-system-x86_64", "dockerd", "debootstrap", "prove", "xmllint"])
      expect(SCRIPT_TOOLS).not.toContain(t);
  });
});
