// The guest agent: PID 1 in the guest's real root. Runs the jobs in order, writes results, powers off.
import { TOOLS_PROBE } from "../../userspace/index.js";
import { GUEST_JOB_DIR } from "./init.js";

/** One job as the agent sees it: `<file>.sh` in the job directory, run with its own NSM_RUN. */
export interface AgentJob {
  file: string;
  run: string;
  /** Its pcaps go to <file>.pcap/ in the job directory, which the host shares. */
  pcaps?: boolean;
}

/** Files the agent writes into the job directory. */
export const AGENT_FILES = {
  /** `uname -r`, written just before the first job starts. */
  release: "release",
  /** The versions of the networking tools in the guest's root (TOOLS_PROBE's output). */
  tools: "tools",
  /** Written after the last job, before power-off. */
  done: "done",
  tap: (file: string) => `${file}.tap`,
  err: (file: string) => `${file}.err`,
  rc: (file: string) => `${file}.rc`,
  ms: (file: string) => `${file}.ms`,
  pcaps: (file: string) => `${file}.pcap`,
} as const;

function jobLines(j: AgentJob, timeoutScale: number): string[] {
  const d = GUEST_JOB_DIR;
  const pcaps = j.pcaps ? `NSM_ARTIFACTS=${d}/${AGENT_FILES.pcaps(j.file)} ` : "";
  return [
    "(",
    `  t=$(ms)`,
    ...(j.pcaps ? [`  mkdir ${d}/${AGENT_FILES.pcaps(j.file)}`] : []),
    `  ${pcaps}NSM_RUN=${j.run} NSM_TIMEOUT_SCALE=${timeoutScale} sh ${d}/${j.file}.sh </dev/null >${d}/${AGENT_FILES.tap(j.file)} 2>${d}/${AGENT_FILES.err(j.file)}`,
    `  echo $? >${d}/${AGENT_FILES.rc(j.file)}`,
    `  echo $(($(ms) - t)) >${d}/${AGENT_FILES.ms(j.file)}`,
    ") &",
  ];
}

// Jobs run `concurrency` at a time: each has its own namespaces, and most of a job's time is
// spent waiting for checks that are expected to time out.
function batchedJobLines(jobs: AgentJob[], timeoutScale: number, concurrency: number): string[] {
  const out: string[] = [];
  jobs.forEach((j, i) => {
    out.push(...jobLines(j, timeoutScale));
    if ((i + 1) % concurrency === 0 || i === jobs.length - 1) out.push("wait");
  });
  return out;
}

/** The agent script (POSIX sh, run by the host's /bin/sh). It must never exit: PID 1 exiting panics. */
export function agentScript(jobs: AgentJob[], timeoutScale: number, concurrency = 1): string {
  if (!Number.isFinite(timeoutScale) || timeoutScale <= 0)
    throw new Error(`bad timeout scale ${timeoutScale}`);
  for (const j of jobs) {
    if (!/^[0-9a-f]{8}$/.test(j.run)) throw new Error(`NSM_RUN must be 8 lowercase hex digits: ${j.run}`);
    if (!/^[\w.-]+$/.test(j.file)) throw new Error(`bad job file name ${j.file}`);
  }
  const d = GUEST_JOB_DIR;
  return `#!/bin/sh
# nsmatrix guest agent (PID 1). Results go to ${d}, the host's job directory.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C
# /init mounted proc, sys, dev, /run and /tmp (faster there); only a foreign /init would need this.
[ -d /proc/self ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sys /sys
[ -c /dev/null ] || mount -t devtmpfs dev /dev
# The drop trace's tracefs, once for every job (they start at once).
[ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
[ -d /run/netns ] || { mount -t tmpfs -o mode=755 run /run && mount -t tmpfs -o mode=1777 tmp /tmp && mkdir /run/netns; }
# What udev makes on a booted system, and devtmpfs lacks: nft 0.9 reads "-f -" as /dev/stdin.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for n in 0:stdin 1:stdout 2:stderr; do [ -e "/dev/\${n#*:}" ] || ln -s "/proc/self/fd/\${n%%:*}" "/dev/\${n#*:}"; done
# Probe verdicts hold for this boot: later jobs reuse them (the guest's tmpfs dies with it).
export NSM_PROBE_CACHE=/run/nsm-probes
mkdir -p "$NSM_PROBE_CACHE"
# Booted quiet; from now on let warnings reach the console, where the host scans for them.
echo 5 >/proc/sys/kernel/printk
cd /
ms() {
  read -r u _ </proc/uptime
  c=\${u#*.}
  c=\${c#0}
  echo $((\${u%.*} * 1000 + c * 10))
}
{
${TOOLS_PROBE}
} >${d}/${AGENT_FILES.tools} 2>&1
read -r release </proc/sys/kernel/osrelease
echo "$release" >${d}/${AGENT_FILES.release}
${batchedJobLines(jobs, timeoutScale, Math.max(1, concurrency)).join("\n")}
echo ok >${d}/${AGENT_FILES.done}
sync
mkfifo /run/nsm-hold
echo o >/proc/sysrq-trigger
# Wait for the power-off without ever exiting (or running anything from the 9p root, going away now).
while :; do read -r _ </run/nsm-hold; done
`;
}
