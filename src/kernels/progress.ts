// Progress of fetching kernels (a union on kind), one formatter each, and a printer with a download bar.

/** What fetching a kernel reports while it works. */
export type KernelEvent =
  | { kind: "index"; spec: string; url: string }
  | { kind: "download"; file: string; bytes: number; total: number }
  | { kind: "extract"; spec: string; file: string }
  | { kind: "cached"; spec: string; release: string; dir: string }
  | { kind: "ready"; spec: string; release: string; dir: string; durationMs: number }
  | { kind: "removed"; dir: string; reason: string };

/** Receives progress events; the caller decides how to show them. */
export type KernelProgress = (e: KernelEvent) => void;

const mb = (n: number) => (n / 1e6).toFixed(1);

/** `  linux-image-6.1.0-50-amd64  [##........]  25%   17.6 / 70.3 MB`; without a total, only the megabytes. */
export function downloadLine(e: Extract<KernelEvent, { kind: "download" }>): string {
  if (!(e.total > 0)) return `  ${e.file}  ${mb(e.bytes)} MB`;
  const frac = Math.min(1, e.bytes / e.total);
  const bar = "#".repeat(Math.round(frac * 10)).padEnd(10, ".");
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `  ${e.file}  [${bar}] ${pct}  ${mb(e.bytes).padStart(6)} / ${mb(e.total)} MB`;
}

/** One human line per event. */
export function formatKernelEvent(e: KernelEvent): string {
  switch (e.kind) {
    case "index":
      return `… ${e.spec}: reading ${e.url}`;
    case "download":
      return downloadLine(e);
    case "extract":
      return `  ${e.spec}: extracting ${e.file} and running depmod`;
    case "cached":
      return `✓ ${e.spec}: ${e.release} is already cached in ${e.dir}`;
    case "ready":
      return `✓ ${e.spec}: ${e.release} in ${e.dir} (${(e.durationMs / 1000).toFixed(1)} s)`;
    case "removed":
      return `  removed ${e.dir} (${e.reason})`;
  }
}

/** A stream progress can go to; a TTY gets a bar rewritten in place. */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
}

/** Prints events to `out`: downloads as one bar rewritten with `\r` on a TTY, else a line every 10%. */
export function kernelProgressPrinter(out: ProgressSink): KernelProgress {
  let barOpen = false;
  let decile = -1;
  return (e) => {
    if (e.kind === "download") {
      const done = e.total > 0 && e.bytes >= e.total;
      if (out.isTTY) {
        out.write(`\r${downloadLine(e)}\x1b[K${done ? "\n" : ""}`);
        barOpen = !done;
        return;
      }
      // Tenths of the total, or every 10 MB when the size is unknown.
      const d =
        e.total > 0 ? Math.floor((Math.min(e.bytes, e.total) / e.total) * 10) : Math.floor(e.bytes / 1e7);
      if (d > decile) out.write(`${downloadLine(e)}\n`);
      decile = done ? -1 : Math.max(d, decile);
      return;
    }
    if (barOpen) out.write("\n");
    barOpen = false;
    decile = -1;
    out.write(`${formatKernelEvent(e)}\n`);
  };
}
