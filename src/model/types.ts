// The validated, normalised model the compiler consumes.
import type { ExpectT, TopologyT } from "./schema.js";

export type Proto = "tcp" | "udp";

export interface ServiceModel {
  name: string;
  node: string;
  proto: Proto;
  port: number;
}

export type CheckTarget =
  | { kind: "ping"; host: string }
  | { kind: "tcp" | "udp"; host: string; port: number; service?: string };

export interface CheckModel {
  name: string;
  description?: string;
  from: string;
  target: CheckTarget;
  /** Seconds, before the backend's scaling for slow guests. */
  timeout: number;
  expect: ExpectT;
}

export interface VariantModel {
  name: string;
  description?: string;
  topology: TopologyT;
}

export interface ScenarioModel {
  file: string;
  name: string;
  description?: string;
  topologyFile: string;
  parallel: boolean;
  services: ServiceModel[];
  checks: CheckModel[];
  variants: VariantModel[];
}
