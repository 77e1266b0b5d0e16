#!/usr/bin/env bash
# Install the PostgreSQL server binaries the store tests start their throwaway cluster with.
# The tests themselves run initdb/pg_ctl (as the `postgres` user when run as root); nothing is
# started here. Idempotent: does nothing when a server is already installed.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "postgres.sh: PostgreSQL binaries missing and not root; install package 'postgresql'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql > /dev/null
