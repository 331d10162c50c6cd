#!/usr/bin/env bash
# Installs what the build and the tests need and is not already here: libsecp256k1 (with its
# recovery module) and pkg-config; on Linux also iptables, which the NAT tests drive inside network
# namespaces they create. Debian/Ubuntu through apt-get (sudo when not root), macOS through Homebrew.
# Installs nothing when everything is present, so it can run before every test run.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "error: swift is not on PATH. Install Swift 6 (https://www.swift.org/install) and run this again." >&2
  exit 1
fi

have_secp256k1() {
  command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libsecp256k1 &&
    [ -f "$(pkg-config --variable=includedir libsecp256k1)/secp256k1_recovery.h" ]
}

# iptables lives in /usr/sbin, which a non-root PATH may lack.
have_iptables() {
  command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || [ -x /sbin/iptables ]
}

case "$(uname -s)" in
  Linux)
    missing=()
    have_secp256k1 || missing+=(libsecp256k1-dev pkg-config)
    have_iptables || missing+=(iptables)
    [ "${#missing[@]}" -eq 0 ] && exit 0
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "error: missing ${missing[*]} and this is not a Debian/Ubuntu system: install libsecp256k1 (with the recovery module), pkg-config and iptables." >&2
      exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "==> installing ${missing[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    ;;
  Darwin)
    have_secp256k1 && exit 0
    echo "==> installing secp256k1 and pkg-config with Homebrew"
    brew install secp256k1 pkg-config
    ;;
  *)
    have_secp256k1 && exit 0
    echo "error: unsupported system $(uname -s): install libsecp256k1 and pkg-config by hand." >&2
    exit 1
    ;;
esac

have_secp256k1 || { echo "error: libsecp256k1 still not found by pkg-config after installing." >&2; exit 1; }
