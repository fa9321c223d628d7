// The container a userspace column runs in, defined with testcontainers: loaded only when such a
// column runs, so that every other command starts without testcontainers and ssh2.
import { GenericContainer } from "testcontainers";
import { LABELS, ownerTag } from "./container-clean.js";

// Offline here: the reaper's image cannot be pulled, and there is no bridge network to find a
// gateway on. `clean` removes what a killed run leaves instead of the reaper.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";

/** What a container needs to build namespaces, bridges and firewalls, and nothing of the host's network. */
export const CONTAINER_OPTIONS = {
  networkMode: "none",
  capabilities: ["NET_ADMIN", "SYS_ADMIN"],
  // --privileged fails here (runc cannot apply every capability); unshare and mount need these.
  securityOpts: ["seccomp=unconfined", "apparmor=unconfined"],
  tmpfs: { "/run": "rw,mode=755", "/tmp": "rw,mode=1777" },
} as const;

// testcontainers has no setter for security options, nor for the engine's own AutoRemove (its
// withAutoRemove removes on stop, which a killed nsmatrix never calls).
class NetworkLabContainer extends GenericContainer {
  withSecurityOpts(...opts: string[]): this {
    this.hostConfig.SecurityOpt = [...(this.hostConfig.SecurityOpt ?? []), ...opts];
    return this;
  }
  withEngineAutoRemove(): this {
    this.hostConfig.AutoRemove = true;
    return this;
  }
}

/**
 * The container definition for a column: `sleep lifetimeS` keeps it up, and the engine removes it
 * once that ends, so even a killed run's container goes by itself (`clean` removes it sooner).
 */
export function columnContainer(image: string, run: string, userspace: string, lifetimeS: number) {
  const o = CONTAINER_OPTIONS;
  return new NetworkLabContainer(image)
    .withName(`nsm-${run}`)
    .withLabels({ [LABELS.run]: run, [LABELS.owner]: ownerTag(), [LABELS.userspace]: userspace })
    .withNetworkMode(o.networkMode)
    .withAddedCapabilities(...o.capabilities)
    .withSecurityOpts(...o.securityOpts)
    .withTmpFs({ ...o.tmpfs })
    .withCommand(["sleep", String(Math.ceil(lifetimeS))])
    .withAutoRemove(true)
    .withEngineAutoRemove()
    .withStartupTimeout(60_000);
}
