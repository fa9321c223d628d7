#!/usr/bin/env bash
# Installs what nsmatrix needs on Debian or Ubuntu, only what is missing, then builds it.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The package table is src/system/packages.ts (one row a line: tool, Debian package, need); the
# first tool of each package proves it is there (dpkg -s is slow to run a dozen times).
# --test adds what the tests read reports with; --print lists the packages and exits.
# --kernels K and --userspaces U (run's -k and -u) install only what those columns need: QEMU for
# guest kernels, a container engine for userspaces on the host kernel. Without them: everything.
usage="usage: setup.sh [--test | --print] [--kernels host,debian:6.1,...] [--userspaces host,...]"
mode="" kernels="" userspaces=""
while (($#)); do
  case "$1" in
    --test | --print) mode="$1" ;;
    --kernels) kernels="${2:?$usage}"; shift ;;
    --userspaces) userspaces="${2:?$usage}"; shift ;;
    *) echo "setup: $usage" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$kernels$userspaces" ]; then
  needs=" run guest container "
else
  needs=" run "
  case ",${kernels:-host}," in *,debian:* | *,file:*) needs="$needs guest " ;; esac
  if [ -n "$(tr ',' '\n' <<<"${userspaces:-host}" | grep -vx host)" ]; then needs="$needs container "; fi
  echo "setup: for kernels ${kernels:-host} and userspaces ${userspaces:-host}:${needs}" >&2
fi
case "$mode" in --test | --print) needs="$needs test " ;; esac
rows() { awk -F'"' '/^  \["/ { print $2, $4, $6 }' src/system/packages.ts; }
missing=() wanted=()
while read -r tool pkg need; do
  case "$needs" in *" $need "*) ;; *) continue ;; esac
  case " ${wanted[*]:-} " in *" $pkg "*) continue ;; esac
  wanted+=("$pkg")
  if [[ $tool == dpkg:* ]]; then
    dpkg-query -W -f='${Status}' "${tool#dpkg:}" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  else
    PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done < <(rows)
if [ "$mode" = --print ]; then
  echo "${wanted[*]}"
  exit 0
fi
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
if [[ $needs == *" container "* ]] && command -v docker >/dev/null && ! engine_up; then
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
if [ ! -f dist/cli/index.js ] || [ -n "$(find src -newer dist/cli/index.js -print -quit)" ]; then
  echo "setup: building (tsc)" >&2
  npm run --silent build >&2
fi
