#!/usr/bin/env bash
# Installs what the build needs and is not already here: libsecp256k1 (with its recovery module)
# and pkg-config. Debian/Ubuntu through apt-get (sudo when not root), macOS through Homebrew.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1; then
  echo "error: swift is not on PATH. Install Swift 6 (https://www.swift.org/install) and run this again." >&2
  exit 1
fi

have_secp256k1() {
  command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libsecp256k1 &&
    [ -f "$(pkg-config --variable=includedir libsecp256k1)/secp256k1_recovery.h" ]
}

if have_secp256k1; then
  exit 0
fi

case "$(uname -s)" in
  Linux)
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "error: libsecp256k1 is missing and this is not a Debian/Ubuntu system: install libsecp256k1 (with the recovery module) and pkg-config." >&2
      exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "==> installing libsecp256k1-dev and pkg-config with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libsecp256k1-dev pkg-config >/dev/null
    ;;
  Darwin)
    echo "==> installing secp256k1 and pkg-config with Homebrew"
    brew install secp256k1 pkg-config
    ;;
  *)
    echo "error: unsupported system $(uname -s): install libsecp256k1 and pkg-config by hand." >&2
    exit 1
    ;;
esac

have_secp256k1 || { echo "error: libsecp256k1 still not found by pkg-config after installing." >&2; exit 1; }
