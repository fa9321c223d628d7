// The validated, normalised model the compiler consumes.
import type { CheckSpec } from "../checks/index.js";
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

export type { CheckTarget, ScriptFile } from "../checks/index.js";

/** A check of a scenario: what its kind reads, and what it is expected to do on each kernel. */
export interface CheckModel extends CheckSpec {
  expect: ExpectT;
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
