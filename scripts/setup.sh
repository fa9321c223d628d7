#!/usr/bin/env bash
# Installs what nsmatrix needs on Debian or Ubuntu, only what is missing, then builds it.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=(iproute2 procps kmod socat iputils-ping iptables ebtables nftables mawk coreutils
  tcpdump conntrack qemu-system-x86 busybox-static xz-utils docker.io debootstrap)
# Which command proves each package is there (dpkg -s is slow to run a dozen times).
# The tests also read nsmatrix's TAP with prove, check its JUnit with xmllint, and load its
# HTML in a headless browser: with --test.
if [ "${1:-}" = --test ]; then need_pkgs+=(perl libxml2-utils chromium); fi
declare -A probe=([perl]=prove [libxml2-utils]=xmllint [chromium]=chromium [iproute2]=ip [procps]=sysctl [kmod]=modprobe [socat]=socat [iputils-ping]=ping
  [iptables]=iptables-restore [ebtables]=ebtables [nftables]=nft [mawk]=awk [coreutils]=od
  [tcpdump]=tcpdump [conntrack]=conntrack
  [qemu-system-x86]=qemu-system-x86_64 [xz-utils]=xz [docker.io]=dockerd [debootstrap]=debootstrap)

missing=()
for p in "${need_pkgs[@]}"; do
  if [ "$p" = busybox-static ]; then
    # Guest initramfs needs a static busybox; the ordinary busybox package is dynamic.
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  else
    PATH="$PATH:/usr/sbin:/sbin" command -v "${probe[$p]}" >/dev/null 2>&1 || missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Userspace columns (--userspace debian:...) on the host kernel run in containers. The daemon leaves
# the host's network alone: no docker0 bridge, no iptables rules.
engine_up() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if command -v docker >/dev/null && ! engine_up; then
  if [ "$(id -u)" = 0 ] && PATH="$PATH:/usr/sbin" command -v dockerd >/dev/null; then
    echo "setup: starting the Docker daemon: dockerd --bridge=none --iptables=false (log: /var/log/nsmatrix-dockerd.log)" >&2
    PATH="$PATH:/usr/sbin" nohup setsid dockerd --bridge=none --iptables=false \
      >/var/log/nsmatrix-dockerd.log 2>&1 </dev/null &
    for _ in $(seq 60); do engine_up && break; sleep 0.5; done
    engine_up || echo "setup: the Docker daemon did not start (see /var/log/nsmatrix-dockerd.log); container columns will be skipped" >&2
  else
    echo "setup: no Docker daemon runs; container columns (--userspace on the host kernel) will be skipped" >&2
  fi
fi

if ! command -v node >/dev/null || (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  echo "setup: nsmatrix needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "setup: install it from your distribution (Debian trixie/Ubuntu 24.10+: apt-get install nodejs npm) or NodeSource." >&2
  exit 1
fi

# npm dependencies, when absent or older than the lock file. (`npm install`, not `npm ci`:
# npm 11 writes lock files without other platforms' optional packages, which `npm ci` rejects.)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm install, versions from package-lock.json)" >&2
  npm install --no-audit --no-fund --loglevel=error >&2
fi

# Build when any source is newer than the build.
if [ ! -f dist/cli.js ] || [ -n "$(find src -newer dist/cli.js -print -quit)" ]; then
  echo "setup: building (tsc)" >&2
  npm run --silent build >&2
fi
