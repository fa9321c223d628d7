// The validated, normalised model the compiler consumes.
import type { ExpectT, TopologyT } from "./schema.js";

export type Proto = "tcp" | "udp";

export interface ServiceModel {
  name: string;
  node: string;
  proto: Proto;
  port: number;
  /** tcp: bytes sent after the name line. */
  sends?: number;
}

/** A file a script check carries into the run: the script first, then the files it names. */
export interface ScriptFile {
  name: string;
  text: string;
}

export type CheckTarget =
  | { kind: "ping"; host: string }
  | { kind: "tcp" | "udp"; host: string; port: number; service?: string }
  | { kind: "script"; file: string; files: ScriptFile[]; args: string[]; timeoutS: number }
  | { kind: "command"; argv: string[]; match?: string; exit?: number };

export interface CheckModel {
  name: string;
  description?: string;
  /** The node it runs in; a script check without one runs in the run's own namespace, nsm-<run>. */
  from?: string;
  target: CheckTarget;
  /** Seconds: the check's own, else its variant's, else the scenario's, else 0.5. */
  timeout: number;
  expect: ExpectT;
  /** Bytes the answer must carry: the name line plus the service's `sends`. */
  bytes?: number;
  /** tcp: the node whose conntrack table must show the connection [OFFLOAD]ed while it runs. */
  offload?: string;
  /** tcpdump on node:dev with a pcap filter; the check reaches only if a matching packet was seen. */
  capture?: { node: string; dev: string; filter: string };
}

export interface VariantModel {
  name: string;
  description?: string;
  topology: TopologyT;
  /** `file:line` of a key path of the topology (in the topology file, or in the variant's patch). */
  where?: (path: ReadonlyArray<string | number>) => string | undefined;
  /** The scenario's checks, in declared order, with this variant's timeouts. */
  checks: CheckModel[];
}

export interface ScenarioModel {
  file: string;
  name: string;
  description?: string;
  topologyFile: string;
  parallel: boolean;
  services: ServiceModel[];
  /** The checks in declared order, with the scenario's timeouts (a variant may change them). */
  checks: CheckModel[];
  variants: VariantModel[];
}
