// A kernel or userspace feature a topology needs, and how the script probes for it.

export interface Feature {
  id: string;
  /** POSIX sh that succeeds when the feature works; runs with $PROBE set to a scratch namespace. */
  probe: string;
  /** Why the checks are skipped when the probe fails. */
  reason: string;
}
