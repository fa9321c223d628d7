// Streams a URL to a file through `<file>.part`, reporting progress and checking the SHA256 on the way.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { NsmError } from "../errors.js";
import type { KernelProgress } from "./progress.js";

/** How to download: the fetch to use, and what to check and report. */
export interface DownloadOptions {
  fetch: typeof globalThis.fetch;
  progress?: KernelProgress;
  /** Expected size, for progress; defaults to Content-Length. */
  total?: number;
  /** Expected SHA256 (hex); a mismatch deletes the file and throws E_BACKEND. */
  sha256?: string;
  cancel?: AbortSignal;
  /** Name in progress events (default: the URL's file name). */
  label?: string;
  /** Give up when no data arrives for this long (default 60 s). */
  stallMs?: number;
}

const PROGRESS_EVERY_MS = 200;

function failure(url: string, e: unknown, stalled: boolean, stallMs: number, cancel?: AbortSignal): NsmError {
  if (e instanceof NsmError) return e;
  if (cancel?.aborted) return new NsmError("E_INTERRUPTED", `download of ${url} interrupted`);
  if (stalled) return new NsmError("E_TIMEOUT", `download of ${url}: no data for ${stallMs / 1000} s`);
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const why = err.cause?.code ?? err.cause?.message ?? err.message;
  return new NsmError(
    "E_BACKEND",
    `could not download ${url}: ${why}. Check the network, or pass another mirror`,
  );
}

/** Downloads url to dest; returns the byte count and SHA256. Nothing is left at dest unless it succeeded. */
export async function download(
  url: string,
  dest: string,
  opts: DownloadOptions,
): Promise<{ bytes: number; sha256: string }> {
  const stallMs = opts.stallMs ?? 60_000;
  const stall = new AbortController();
  const signal = opts.cancel ? AbortSignal.any([stall.signal, opts.cancel]) : stall.signal;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  const part = `${dest}.part`;
  const file = opts.label ?? decodeURIComponent(basename(new URL(url).pathname));
  try {
    const res = await opts.fetch(url, { signal });
    if (!res.ok || !res.body) {
      throw new NsmError("E_BACKEND", `download of ${url} failed: HTTP ${res.status} ${res.statusText}`);
    }
    const total = opts.total ?? Number(res.headers.get("content-length") ?? 0);
    const hash = createHash("sha256");
    let bytes = 0;
    let shownAt = 0;
    let shownBytes = -1;
    const report = (force: boolean) => {
      const now = Date.now();
      if (bytes === shownBytes || (!force && now - shownAt < PROGRESS_EVERY_MS)) return;
      shownAt = now;
      shownBytes = bytes;
      opts.progress?.({ kind: "download", file, bytes, total });
    };
    report(true);
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        kick();
        hash.update(chunk);
        bytes += chunk.length;
        report(false);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), count, createWriteStream(part));
    report(true);
    const sha256 = hash.digest("hex");
    if (opts.sha256 && sha256 !== opts.sha256.toLowerCase()) {
      throw new NsmError(
        "E_BACKEND",
        `${url}: SHA256 mismatch: the index says ${opts.sha256.toLowerCase()}, the download has ${sha256} ` +
          `(${bytes} bytes); it was deleted. Try again, or use another mirror`,
      );
    }
    await rename(part, dest);
    return { bytes, sha256 };
  } catch (e) {
    await rm(part, { force: true });
    throw failure(url, e, stall.signal.aborted, stallMs, opts.cancel);
  } finally {
    clearTimeout(timer);
  }
}
