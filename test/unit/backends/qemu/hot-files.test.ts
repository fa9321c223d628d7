import { describe, expect, it } from "vitest";
import { hotFiles, parseLdd } from "../../../../src/backends/qemu/hot-files.js";
import { exec } from "../../../../src/system/exec.js";

describe("hot files for the guest's upper layer", () => {
  it("reads both kinds of ldd line and skips vdso and 'not found'", () => {
    const out = [
      "/usr/sbin/ip:",
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007f10)",
      "\tlibfoo.so.2 => not found",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f20)",
      "/bin/busybox:",
      "\tnot a dynamic executable",
    ].join("\n");
    expect(parseLdd(out)).toEqual(["/lib/x86_64-linux-gnu/libbpf.so.1", "/lib64/ld-linux-x86-64.so.2"]);
  });

  it("on this host: the tools, their libraries and ld.so.cache, as real absolute paths", async () => {
    const files = await hotFiles(exec);
    expect(files).toEqual([...files].sort());
    expect(files.every((f) => f.startsWith("/") && !f.includes("/../"))).toBe(true);
    expect(files.some((f) => /\/libc\.so\.6$/.test(f))).toBe(true);
    expect(files.some((f) => /\/ld-linux-x86-64\.so\.2$/.test(f))).toBe(true);
    expect(files).toContain("/etc/ld.so.cache");
    expect(files.some((f) => f.endsWith("/socat"))).toBe(true);
  });

  it("leaves out tools missing from PATH", async () => {
    expect(await hotFiles(exec, "/nonexistent")).toEqual(["/etc/ld.so.cache"]);
  });
});
