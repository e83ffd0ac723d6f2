#!/usr/bin/env bash
# tests/progfuzz/run.sh - generated hostile programs, inside the outer guard.
#
#   IPCGRADE=build/ipcgrade tests/progfuzz/run.sh [run.py options]
#   (or `make fuzz-programs`, `make progfuzz-slice`)
#
# Starts tests/progfuzz/run.py under tests/guard.sh (a PID namespace of its
# own plus a pids/memory cgroup): the generated programs fork at random,
# allocate, spin and hang on purpose, and a sandbox bug must not take the
# machine down. A guard that cannot protect (exit 77) makes the run
# SKIPPED (exit 0), with the reason. See run.py for what is checked.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export IPCGRADE=${IPCGRADE:-$ROOT/build/ipcgrade}
command -v python3 >/dev/null || { echo "progfuzz: SKIPPED: python3 not found"; exit 0; }
"$ROOT/tests/guard.sh" --pids 4096 --memory-mb 4096 --timeout "${PROGFUZZ_GUARD_TIMEOUT:-86400}" \
	-- python3 "$HERE/run.py" "$@"
rc=$?
if [ $rc = 77 ]; then
	echo "progfuzz: SKIPPED: the outer guard cannot protect the machine here (see guard: line above)"
	exit 0
fi
exit $rc
