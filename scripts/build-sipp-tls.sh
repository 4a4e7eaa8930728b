#!/usr/bin/env bash
# Debian's sipp (sip-tester 3.6.1) is built without OpenSSL: `sipp -t l1` says "To use a TLS transport you
# must compile SIPp with OpenSSL". The SIP-over-TLS tests need a TLS build: this fetches the SIPp release
# tarball, builds it with USE_SSL and installs it as `sipp-tls` (PREFIX, default /usr/local/bin).
# Needs cmake, g++, make, libssl-dev and libncurses-dev. Idempotent: does nothing when sipp-tls works.
set -euo pipefail
VERSION="${SIPP_VERSION:-v3.7.7}"
PREFIX="${PREFIX:-/usr/local/bin}"
# `sipp -v` exits non-zero, and grep -q would cut its pipe (pipefail): read its output first.
version="$(sipp-tls -v 2>&1 || true)"
if [[ "$version" == *TLS* ]]; then
  echo "sipp-tls already installed: $(command -v sipp-tls)"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
curl -fsSL -o sipp.tar.gz "https://github.com/SIPp/sipp/releases/download/${VERSION}/sipp-${VERSION#v}.tar.gz"
tar -xzf sipp.tar.gz
cd sipp-*/
cmake . -DUSE_SSL=1 -DUSE_PCAP=0 -DUSE_SCTP=0 -DUSE_GSL=0 >/dev/null
make -j"$(nproc)" sipp >/dev/null
SUDO=""; [ -w "$PREFIX" ] || SUDO="sudo"
$SUDO install -m 0755 sipp "$PREFIX/sipp-tls"
"$PREFIX/sipp-tls" -v 2>&1 | grep -m1 SIPp || true
