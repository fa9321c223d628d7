// A check as its kind sees it: what it sends where, its timeout and the demands beside reaching.
// The model's CheckSpec adds the expectation, which no kind reads.

/** A file a script check carries into the run: the script first, then the files it names. */
export interface ScriptFile {
  name: string;
  text: string;
}

export type CheckTarget =
  | { kind: "ping"; host: string }
  | { kind: "tcp" | "udp"; host: string; port: number; service?: string }
  | {
      kind: "script";
      file: string;
      files: ScriptFile[];
      args: string[];
      timeoutS: number;
      /** The CONFIG_ options the `config` file beside the script asks for (kselftest's convention). */
      config?: { option: string; value: string }[];
    }
  | { kind: "command"; argv: string[]; match?: string; exit?: number };

export interface CheckSpec {
  name: string;
  description?: string;
  /** The node it runs in; a script check without one runs in the run's own namespace, nsm-<run>. */
  from?: string;
  target: CheckTarget;
  /** Seconds: the check's own, else its variant's, else the scenario's, else 0.5. */
  timeout: number;
  /** Bytes the answer must carry: the name line plus the service's `sends`. */
  bytes?: number;
  /** tcp: the node whose conntrack table must show the connection [OFFLOAD]ed while it runs. */
  offload?: string;
  /** tcpdump on node:dev with a pcap filter; the check reaches only if a matching packet was seen. */
  capture?: { node: string; dev: string; filter: string };
}
