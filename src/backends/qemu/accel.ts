// KVM or TCG: `auto` trusts KVM only after a short probe guest really ran under it.

/** The accelerator a guest runs under. */
export type Accel = "kvm" | "tcg";
/** What a user asks for: `auto` probes KVM and falls back to TCG. */
export type AccelMode = "auto" | Accel;

/** Boots a tiny KVM guest; true when it printed its marker. Must stop (kill QEMU) when aborted. */
export type KvmProbe = (signal: AbortSignal) => Promise<boolean>;

/** The accelerator picked, and why. */
export interface AccelChoice {
  accel: Accel;
  /** Why, in words for the log: "KVM probe timed out after 3 s". */
  why: string;
}

/** Resolves a mode to an accelerator, probing KVM for `auto`. */
export type ChooseAccel = (mode: AccelMode, probe: KvmProbe) => Promise<AccelChoice>;

async function runProbe(probe: KvmProbe, timeoutMs: number): Promise<AccelChoice> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AccelChoice>((resolve) => {
    timer = setTimeout(() => {
      resolve({ accel: "tcg", why: `KVM probe timed out after ${timeoutMs / 1000} s` });
    }, timeoutMs);
  });
  const probed = probe(ctl.signal).then(
    (ok): AccelChoice =>
      ok ? { accel: "kvm", why: "KVM probe guest ran" } : { accel: "tcg", why: "KVM probe failed" },
    (e: unknown): AccelChoice => ({ accel: "tcg", why: `KVM probe failed: ${(e as Error).message}` }),
  );
  try {
    return await Promise.race([probed, timeout]);
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
}

/** A chooser with its own probe cache: `auto` probes once, later calls reuse the answer. */
export function accelChooser(timeoutMs = 3000): ChooseAccel {
  let cached: Promise<AccelChoice> | undefined;
  return (mode, probe) => {
    if (mode !== "auto") return Promise.resolve({ accel: mode, why: `asked for ${mode.toUpperCase()}` });
    cached ??= runProbe(probe, timeoutMs);
    return cached;
  };
}

/** The process-wide chooser: KVM is probed at most once per nsmatrix process. */
export const chooseAccel: ChooseAccel = accelChooser();
