#!/usr/bin/env bash
# bench/procs.sh - what the sandbox costs a program of many processes
# (make bench-procs).
#
# Two shapes, at N = 100, 500, 1000, 2000 processes:
#   wide   N children of one parent, all blocked on one pipe until the
#          parent closes it, then reaped (tests/fixtures/scale/fan_out.c)
#   tree   a binary tree of processes, each reaping its two children
#          (tests/fixtures/scale/tree.c), of the depth that makes the
#          nearest size: 127, 511, 1023, 2047 processes (a chain of N
#          processes would be deeper, but on this kernel its cost grows
#          faster than N even bare: 0.08 s at 125, 16 s at 1000)
# each run bare and boxed (`ipcgrade run` with default tracing, the
# isolation `auto` picks). The time is the wall time of the whole command,
# so the box's fixed cost (creating and tearing down the box) is included.
# Runs are interleaved: each round runs every (shape, N) once bare and
# once boxed, the pair's order alternating, and each boxed run's ratio is
# taken to the bare run of its own pair; the table shows the median of
# the paired ratios side by side for every N.
#
# Targets (printed, never asserted; "TARGET MISSED" where missed):
#   wide, N = 2000: boxed at most 1.5x bare
#   each shape: ratio at 2000 at most 1.2x the ratio at 500 (cost linear
#   in the work)
# It exits 2 only when it cannot measure at all.
#
# Environment:
#   IPCGRADE=PATH      the binary (default: build/ipcgrade of this tree)
#   BENCH_RUNS=N       rounds (default 7)
#   BENCH_NS="..."     the process counts (default "100 500 1000 2000")
#   BENCH_OUT=DIR      binaries and raw results (default build/bench)

set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# stats, median, median4, calc, noise, elapsed_ms
. "$ROOT/bench/stats.sh"
IPCGRADE=${IPCGRADE:-$ROOT/build/ipcgrade}
RUNS=${BENCH_RUNS:-7}
read -r -a NS <<<"${BENCH_NS:-100 500 1000 2000}"
OUT=${BENCH_OUT:-$ROOT/build/bench}
SHAPES=(wide tree)

die() { echo "bench-procs: $*" >&2; exit 2; }

mkdir -p "$OUT" || die "cannot create $OUT"
command -v gcc >/dev/null 2>&1 || die "gcc is missing"
[ -x "$IPCGRADE" ] || die "$IPCGRADE is missing: run make first"
cp "$IPCGRADE" "$OUT/ipcgrade.procs" || die "cannot copy $IPCGRADE"
IPCGRADE=$OUT/ipcgrade.procs
gcc -O2 -o "$OUT/wide" "$ROOT/tests/fixtures/scale/fan_out.c" || die "cannot build fan_out.c"
gcc -O2 -o "$OUT/tree" "$ROOT/tests/fixtures/scale/tree.c" || die "cannot build tree.c"
TMP=$(mktemp -d /tmp/ipcgrade-bench-procs.XXXXXX) || die "no temporary folder"
trap 'rm -rf "$TMP"' EXIT
RESULTS=$OUT/procs-results.txt
: >"$RESULTS"

max=0
for n in "${NS[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
BOX=(run --processes $((max * 3 / 2 + 96 > 4096 ? 4096 : max * 3 / 2 + 96)) --memory-mb 2048 --timeout 300000 --cpu-ms 300000 --)

# depth N: the depth of the binary tree nearest N processes (2^(d+1) - 1)
depth() { local d=0; while (((1 << (d + 2)) - 1 <= $1 * 3 / 2)); do d=$((d + 1)); done; echo $d; }

# one SHAPE N VARIANT -> wall ms of the whole command, or "" when it failed
one() {
	local bin=$OUT/$1 t0 t1 rc want arg=$2
	if [ "$1" = wide ]; then want="$2 children"; else arg=$(depth "$2"); want="tree of depth $arg"; fi
	t0=$EPOCHREALTIME
	if [ "$3" = bare ]; then
		"$bin" "$arg" >"$TMP/out" 2>&1 </dev/null
	else
		"$IPCGRADE" "${BOX[@]}" "$bin" "$arg" >"$TMP/out" 2>&1 </dev/null
	fi
	rc=$?
	t1=$EPOCHREALTIME
	if [ $rc != 0 ] || ! grep -q "^ *$want\$" "$TMP/out" ||
	   { [ "$3" = box ] && ! grep -q '^verdict: ok' "$TMP/out"; }; then
		echo "  run failed ($1 $2 $3, status $rc):" >&2
		sed 's/^/    | /' "$TMP/out" | head -n 8 >&2
		return
	fi
	elapsed_ms "$t0" "$t1"
}

rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git -C "$ROOT" status --porcelain -- harness grader 2>/dev/null)" ] && rev="$rev+local changes"
echo "ipcgrade processes benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) CPUs"
echo "  tree $rev; $RUNS rounds, bare and boxed paired and interleaved; load average $(cut -d' ' -f1-3 /proc/loadavg)"
isolation=$("$IPCGRADE" run -- /bin/true 2>/dev/null | grep -o 'isolation [a-z]*' | head -n 1)
echo "  boxed: ipcgrade ${BOX[*]} PROGRAM N (default tracing, ${isolation:-isolation ?})"
echo

declare -A WALL PAIRED
for ((r = 0; r < RUNS; r++)); do
	for s in "${SHAPES[@]}"; do
		for n in "${NS[@]}"; do
			if (((r + n / 100) % 2)); then order=(box bare); else order=(bare box); fi
			declare -A got=()
			for v in "${order[@]}"; do
				got[$v]=$(one "$s" "$n" "$v")
				echo "procs shape=$s n=$n variant=$v wall_ms=${got[$v]:-failed}" >>"$RESULTS"
				[ -n "${got[$v]}" ] && WALL[$s:$n:$v]+="${got[$v]} "
			done
			[ -n "${got[bare]}" ] && [ -n "${got[box]}" ] &&
				PAIRED[$s:$n]+="$(calc '%.4f' "${got[box]}" "${got[bare]}" 'a / b') "
			unset got
		done
	done
	printf '.' >&2
done
echo >&2

# The table: per shape, a row each of bare ms, boxed ms, paired ratio.
printf '%-6s %-14s' shape "" ; for n in "${NS[@]}"; do printf ' %9s' "N=$n"; done; printf '\n'
printf '%-6s %-14s' "" "tree's N"; for n in "${NS[@]}"; do printf ' %9s' $(((1 << ($(depth "$n") + 1)) - 1)); done; printf '\n'
printf '%s\n' "-------------------------------------------------------------"
declare -A R
for s in "${SHAPES[@]}"; do
	printf '%-6s %-14s' "$s" "bare ms"; for n in "${NS[@]}"; do printf ' %9s' "$(median "${WALL[$s:$n:bare]:-}")"; done; printf '\n'
	printf '%-6s %-14s' "" "boxed ms"; for n in "${NS[@]}"; do printf ' %9s' "$(median "${WALL[$s:$n:box]:-}")"; done; printf '\n'
	printf '%-6s %-14s' "" "boxed/bare"
	for n in "${NS[@]}"; do
		R[$s:$n]=$(median4 "${PAIRED[$s:$n]:-}")
		printf ' %8sx' "${R[$s:$n]}"
	done
	printf '\n'
	printf '%-6s %-14s' "" "noise (%)"; for n in "${NS[@]}"; do printf ' %9s' "$(noise "${PAIRED[$s:$n]:-}")"; done; printf '\n'
done
echo "(medians over $RUNS rounds; boxed/bare is the median of the paired ratios; noise: the"
echo " standard error of that median, per cent)"
echo

holds() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a <= b) }' && echo met || echo "TARGET MISSED"; }
echo "targets:"
if [ -n "${R[wide:2000]:-}" ]; then
	echo "  wide, 2000 children: boxed ${R[wide:2000]}x bare (target <= 1.50x): $(holds "${R[wide:2000]}" 1.5)"
fi
for s in "${SHAPES[@]}"; do
	[ -n "${R[$s:2000]:-}" ] && [ -n "${R[$s:500]:-}" ] || continue
	g=$(calc '%.2f' "${R[$s:2000]}" "${R[$s:500]}" 'a / b')
	echo "  $s: ratio at 2000 / ratio at 500 = $g (target <= 1.20): $(holds "$g" 1.2)"
done
echo "raw results: $RESULTS"
exit 0
