#!/usr/bin/env bash
# Start a worker: check that this machine can run episodes, then join the Ray cluster and stay
# in the foreground (the container lives as long as the Ray node).
#
#   RAY_ADDRESS     the Ray head, e.g. ray-head:6379 (required)
#   WORKER_CPUS     CPUs this node offers to episode slots (default: all)
#   WORKER_MEMORY   bytes of memory it offers (default: Ray's estimate)
#   AGENTS_DB       the store every node writes to (checked when set)
#   RAY_START_ARGS  anything else for `ray start` (e.g. --resources='{"desktop": 8}')
set -euo pipefail

fail() { echo "start-worker: $*" >&2; exit 3; }

: "${RAY_ADDRESS:?set RAY_ADDRESS to the Ray head, e.g. ray-head:6379}"
cpus="${WORKER_CPUS:-$(nproc)}"

# Every desktop episode is a bubblewrap sandbox in a user namespace.
if ! bwrap --unshare-user --unshare-pid --die-with-parent --ro-bind / / true 2>/dev/null; then
    fail "bubblewrap cannot create a user namespace here; see docs/scaling.md (Containers)"
fi
for program in Xvfb openbox chromium; do
    command -v "$program" >/dev/null || fail "$program is not installed (make apt installs the desktop apps)"
done
if [ -n "${AGENTS_DB:-}" ]; then
    python -m agents db current >/dev/null || fail "cannot reach the store at AGENTS_DB"
fi

args=(start "--address=$RAY_ADDRESS" --block "--num-cpus=$cpus" --disable-usage-stats)
if [ -n "${WORKER_MEMORY:-}" ]; then
    args+=("--memory=$WORKER_MEMORY")
fi
# RAY_START_ARGS is split on spaces on purpose: it holds several options.
# shellcheck disable=SC2206
extra=(${RAY_START_ARGS:-})
exec ray "${args[@]}" "${extra[@]}"
