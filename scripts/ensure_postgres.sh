#!/usr/bin/env bash
# Make sure PostgreSQL (>= 13) server binaries exist on this machine; print their bin dir.
#
# Why: the PostgreSQL publishing tests (tests/python/test_publish_postgres.py) start a
# throwaway cluster with initdb/pg_ctl, and a fresh CI machine has no server binaries.
# `make test` calls this first. It is idempotent and quick when the binaries are there
# (no apt, no network): it only looks in PATH and /usr/lib/postgresql/*/bin.
# When they are missing it installs the Debian `postgresql` package, which needs root
# and apt-get; otherwise it exits 1 with a reason on stderr (the tests then skip).
#
# Usage: scripts/ensure_postgres.sh        -> prints e.g. /usr/lib/postgresql/15/bin
set -euo pipefail

MIN_MAJOR=13

# Print the bin dir of the newest initdb >= MIN_MAJOR, or nothing.
find_bin_dir() {
    local best_dir="" best_major=0 cand dir major
    local -a cands=()
    if command -v initdb >/dev/null 2>&1; then
        cands+=("$(command -v initdb)")
    fi
    for cand in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$cand" ]] && cands+=("$cand")
    done
    for cand in "${cands[@]}"; do
        # "initdb (PostgreSQL) 15.18 (Debian ...)" -> 15
        major="$("$cand" --version 2>/dev/null | sed -nE 's/.*\) ([0-9]+)(\.[0-9]+)?.*/\1/p' | head -n1)"
        [[ "$major" =~ ^[0-9]+$ ]] || continue
        dir="$(dirname "$(readlink -f "$cand")")"
        [[ -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
        if (( major >= MIN_MAJOR && major > best_major )); then
            best_major=$major
            best_dir=$dir
        fi
    done
    printf '%s' "$best_dir"
}

bin_dir="$(find_bin_dir)"
if [[ -n "$bin_dir" ]]; then
    echo "$bin_dir"
    exit 0
fi

if [[ "$(id -u)" != "0" ]]; then
    echo "ensure_postgres: no PostgreSQL >= $MIN_MAJOR server binaries found and not root: cannot apt-get install postgresql" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_postgres: no PostgreSQL >= $MIN_MAJOR server binaries found and no apt-get on this machine" >&2
    exit 1
fi

echo "ensure_postgres: installing PostgreSQL server binaries with apt-get ..." >&2
# policy-rc.d 101: do not start the packaged cluster's service (tests run their own cluster).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
fi
cleanup() { if [[ "$created_policy" == 1 ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2

bin_dir="$(find_bin_dir)"
if [[ -z "$bin_dir" ]]; then
    echo "ensure_postgres: apt-get install postgresql finished but no initdb >= $MIN_MAJOR was found" >&2
    exit 1
fi
echo "$bin_dir"
