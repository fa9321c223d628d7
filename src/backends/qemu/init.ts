// The initramfs /init: mount the host root over 9p under a tmpfs overlay, then switch_root into it.

/** 9p mount tags the QEMU command line and /init agree on. */
export const TAGS = { root: "nsmroot", modules: "nsmmods", job: "nsmjob" } as const;

/** Printed by /init when the kernel line carries `nsm.probe`: proof that a guest really ran. */
export const PROBE_MARKER = "NSM-PROBE-OK";

/** Where the job share appears in the guest. */
export const GUEST_JOB_DIR = "/nsm";
/** The agent script in the job share, which /init makes PID 1 of the real root. */
export const AGENT = "agent.sh";

/** What /init must know: modules to insmod, where modules live in the real root, the 9p msize. */
export interface InitOptions {
  /** Module files inside the initramfs, in load order. */
  modules: string[];
  /** Where the kernel's modules belong in the real root, symlinks resolved (e.g. /usr/lib/modules). */
  modulesAt: string;
  msize: number;
  /** An initramfs directory holding host files (hot/usr/bin/ip, …) to copy into the overlay's upper layer. */
  hot?: string;
}

// Not fatal: without the copy, the guest is only slower. Execs then map these from tmpfs, not 9p.
function hotCopy(dir: string | undefined): string {
  return dir ? `cp -a /${dir}/. /rw/upper/ || echo "nsm-init: copying hot files failed"\n` : "";
}

/** The /init script (busybox sh). Any failure is printed and powers the guest off. */
export function initScript(o: InitOptions): string {
  const p9 = (ro: boolean, cache: string) =>
    `-t 9p -o trans=virtio,version=9p2000.L,msize=${o.msize},cache=${cache}${ro ? ",ro" : ""}`;
  return `#!/bin/sh
export PATH=/bin
off() {
  echo o >/proc/sysrq-trigger
  sleep 5
  echo b >/proc/sysrq-trigger
}
fail() {
  echo "nsm-init: $* failed"
  off
}
mount -t proc proc /proc
case $(cat /proc/cmdline) in *nsm.probe*) echo ${PROBE_MARKER} && off ;; esac
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
${o.modules.map((m) => `insmod /${m} || fail "insmod ${m}"`).join("\n")}
mkdir -p /lower /rw /root
mount ${p9(true, "loose")} ${TAGS.root} /lower || fail "mount of the host root"
mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work || fail "tmpfs"
${hotCopy(o.hot)}mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /root || fail overlay
mkdir -p /root${o.modulesAt} /root${GUEST_JOB_DIR} || fail "mkdir in the overlay"
mount ${p9(true, "loose")} ${TAGS.modules} /root${o.modulesAt} || fail "mount of the modules"
mount ${p9(false, "none")} ${TAGS.job} /root${GUEST_JOB_DIR} || fail "mount of the job directory"
# What the real root needs, mounted here by busybox: the host's mount, run from 9p, costs ~0.5 s more.
mount -t tmpfs -o mode=755 run /root/run && mkdir /root/run/netns || fail "tmpfs on /run"
mount -t tmpfs -o mode=1777 tmp /root/tmp || fail "tmpfs on /tmp"
mount --move /sys /root/sys && mount --move /dev /root/dev || fail "moving /sys and /dev"
mkdir -p /root/dev/pts && mount -t devpts devpts /root/dev/pts || fail "devpts"
mount --move /proc /root/proc || fail "moving /proc"
exec switch_root /root /bin/sh ${GUEST_JOB_DIR}/${AGENT}
`;
}
