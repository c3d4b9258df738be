#!/bin/sh
# Installs the real servers the test suite starts (see /work/shared/TESTING-SERVICES.md):
# Postgres 15, Redis 7, a single-node Ceph (mon, memstore OSD, radosgw) for S3, and Chromium.
# Idempotent: does nothing when every binary is already present. Debian/Ubuntu, as root.
set -eu

missing=""
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-tools"
command -v radosgw >/dev/null 2>&1 || missing="$missing radosgw"
command -v radosgw-admin >/dev/null 2>&1 || missing="$missing radosgw"
command -v ceph-mon >/dev/null 2>&1 || missing="$missing ceph-mon"
command -v ceph-osd >/dev/null 2>&1 || missing="$missing ceph-osd"
command -v monmaptool >/dev/null 2>&1 || missing="$missing ceph-mon"
command -v ceph >/dev/null 2>&1 || missing="$missing ceph-common"
# The registry browser's tests drive Debian's Chromium with playwright-core (never a browser download).
[ -x /usr/bin/chromium ] || missing="$missing chromium"

if [ -z "$missing" ]; then
  echo "test services: all binaries present"
  exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "test services: installing$missing"
$SUDO apt-get update -qq
# The packages may start system-wide servers; the tests ignore them and start their own.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $(echo "$missing" | tr ' ' '\n' | sort -u)
