// Reads the version string an x86 bzImage carries in its setup header (Documentation/arch/x86/boot.rst).

const BOOT_FLAG = 0x1fe; // 0xAA55
const HEADER_MAGIC = 0x202; // "HdrS"
const KERNEL_VERSION = 0x20e; // pointer to the version string, minus 0x200

/** The bytes worth reading from the start of a file to find its version string. */
export const BZIMAGE_HEAD_BYTES = 64 * 1024;

/** `6.1.0-50-amd64 (debian-kernel@lists.debian.org) #1 SMP …`, or undefined if `head` is no bzImage. */
export function bzImageVersion(head: Buffer): string | undefined {
  if (head.length < KERNEL_VERSION + 2) return undefined;
  if (
    head.readUInt16LE(BOOT_FLAG) !== 0xaa55 ||
    head.toString("latin1", HEADER_MAGIC, HEADER_MAGIC + 4) !== "HdrS"
  ) {
    return undefined;
  }
  const pointer = head.readUInt16LE(KERNEL_VERSION);
  if (pointer === 0) return undefined;
  const start = pointer + 0x200;
  const end = head.indexOf(0, start);
  if (start >= head.length || end < 0) return undefined;
  const text = head.toString("latin1", start, end).trim();
  return text || undefined;
}

/** The release (`uname -r`) of a bzImage: the first word of its version string. */
export function bzImageRelease(head: Buffer): string | undefined {
  return bzImageVersion(head)?.split(/\s+/)[0];
}
