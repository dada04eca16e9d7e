#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine needs to build and run evolve, then builds it (release).
# Idempotent: every step checks first and does nothing when its result is already there.
#   scripts/setup.sh              system packages, the local model, and a release build of evolve
#   scripts/setup.sh --deps-only  system packages and the local model, no build
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
[[ "${1:-}" == "--deps-only" ]] && build=0

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# -- Debian packages ---------------------------------------------------------------------------------
packages=(libgit2-dev libsqlite3-dev libcurl4-openssl-dev curl bubblewrap python3 python3-venv
          cmake build-essential git ca-certificates pkg-config nodejs sqlite3 chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
    say "Debian packages: all present"
fi

# -- a one-node Slurm for the cluster executor's tests (scripts/slurm-local.sh starts it) ---------------
# Without recommends (no mail server, no database). A policy-rc.d that answers 101 keeps the packages'
# postinst from starting daemons (it would fail without systemd, or start them with no configuration).
slurm_packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${slurm_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ -n $policy ]]; then $SUDO rm -f "$policy"; fi
fi

# -- the local model (llama.cpp's llama-server + SmolLM2-135M) ----------------------------------------
scripts/install-local-model.sh

# -- evolve ----------------------------------------------------------------------------------------------
if ((build)); then
    say "building evolve (release)"
    swift build -c release --product evolve 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Write|Emitting)' || true
    test -x .build/release/evolve || { say "the build failed: see the lines above"; exit 1; }
    say "built $(pwd)/.build/release/evolve"
fi
