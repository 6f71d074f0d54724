#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs, from Debian 12's archive, every package Saker needs to build, run
# and test. Idempotent: packages already present are not touched, and apt is
# only called when something is missing. Run as root (make run / make test do).
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake pkg-config clang llvm lld libclang-rt-14-dev
    # eBPF driver: CO-RE programs, skeleton, loader
    libbpf-dev bpftool libelf-dev zlib1g-dev
    # core and plugins
    libyaml-dev libcjson-dev uthash-dev libpcre2-dev libcurl4-openssl-dev
    libarchive-dev libmicrohttpd-dev libssl-dev
    # k8saudit webhook: client-certificate checks through GnuTLS (libmicrohttpd's TLS)
    libgnutls28-dev
    # tests
    libcmocka-dev python3 curl openssl procps iproute2 util-linux
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root (sudo make ...) to install them" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
