#!/bin/bash
# bench/batch.sh IPCGRADE [N] - how long a class takes to grade.
#
# Generates N (default 200) submissions of fork-shared-array, a mix of the
# reference solution (70%) and its faulty submissions (30%), each made
# unique by a comment, so that no two share a compiled program. Then times,
# in one run, side by side:
#   (a) a naive sequential shell loop: gcc each, run its tests with no
#       sandbox (`timeout` for hangs), compare outputs with cmp;
#   (b) ipcgrade grade -j1 --no-cache (sandboxed and traced);
#   (c) ipcgrade grade -j$(nproc), cold build cache;
#   (d) (c) again with the cache warm.
# The naive loop runs the same tests as the spec, the same number of
# times, and stops a test at its first failing run, as ipcgrade does.
# Prints wall times and ratios; it never fails (a shared machine is noisy):
# it prints "TARGET MISSED" where a target is missed.
set -u
IPCGRADE=$(readlink -f "${1:-build/ipcgrade}")
N=${2:-200}
JOBS=$(nproc)
HERE=$(cd "$(dirname "$0")/.." && pwd)
A=$HERE/assignments/fork-shared-array
W=$(mktemp -d /tmp/ipcgrade-bench-batch.XXXXXX)
trap 'rm -rf "$W"' EXIT

faulty=(children-print global-array ignores-arguments no-wait one-process shm-not-unlinked threads trailing-comma)
# Each faulty submission as a folder (faulty/NAME.patch applied to
# solution/, or a copy of faulty/NAME/).
mkdir -p "$W/class" "$W/faulty"
for f in "${faulty[@]}"; do
	"$IPCGRADE" selftest --materialise "$W/faulty/$f" "$A/faulty/$f" || exit 1
done
for i in $(seq -w 1 "$N"); do
	if (( 10#$i % 10 < 7 )); then src=$A/solution; else
		src=$W/faulty/${faulty[$(( 10#$i % ${#faulty[@]} ))]}; fi
	mkdir "$W/class/s$i"
	for f in "$src"/*.c; do
		{ cat "$f"; echo "/* submission $i */"; } > "$W/class/s$i/$(basename "$f")"
	done
done

# The spec's tests, as the naive loop runs them: args, runs, expected.
expect() { # N M: the expected output of fork-shared-array
	local n=$1 m=$2 line="" i
	for ((i = 0; i < n; i++)); do line+="$m"; (( i < n - 1 )) && line+=", "; done
	printf '[%s]\nAll work completed: %d\n' "$line" $((n * m))
}
tests=("3 10|1|" "5 100|1|5 100" "6 10|1|6" "1 7|1|1 7" "20 1000|1|20 1000" "4 1000000|1|4 1000000" "8 10000|5|8 10000")
for t in "${tests[@]}"; do
	IFS='|' read -r nm runs args <<< "$t"
	expect $nm > "$W/expected-${nm// /-}"
done

naive() {
	local d out=$W/naive-out
	for d in "$W"/class/*/; do
		gcc -std=gnu11 -O2 -Wall -Wextra -o "$d/prog" "$d"/*.c -pthread -lrt 2>/dev/null || continue
		for t in "${tests[@]}"; do
			IFS='|' read -r nm runs args <<< "$t"
			for ((r = 0; r < runs; r++)); do
				# shellcheck disable=SC2086
				timeout 5 "$d/prog" $args > "$out" 2>/dev/null </dev/null || break
				cmp -s "$out" "$W/expected-${nm// /-}" || break
			done
		done
	done
}

seconds() { # command...: wall seconds of the command
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > /dev/null 2>&1
	t1=$(date +%s.%N)
	awk "BEGIN { printf \"%.2f\", $t1 - $t0 }"
}
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
holds() { awk "BEGIN { exit !($1) }" && echo met || echo "TARGET MISSED"; }

echo "grading $N submissions of fork-shared-array (7 tests, 11 runs each) on $JOBS CPUs"
# The naive loop runs faulty submissions unsandboxed: shm-not-unlinked
# leaves its shared_array_PID in the host's /dev/shm. Remove exactly the
# ones that appeared while the loop ran (boxed runs have a /dev/shm of
# their own, so none of those can be another grader's).
ls -A /dev/shm > "$W/shm.before" 2>/dev/null
ta=$(seconds naive)
ls -A /dev/shm 2>/dev/null | grep -Fxv -f "$W/shm.before" | grep '^shared_array_[0-9]*$' |
	while IFS= read -r f; do rm -f "/dev/shm/$f"; done
tb=$(seconds "$IPCGRADE" grade fork-shared-array -j 1 --no-cache -o "$W/out-b" "$W/class")
tc=$(seconds "$IPCGRADE" grade fork-shared-array -j "$JOBS" --cache-dir "$W/cache" -o "$W/out-c" "$W/class")
td=$(seconds "$IPCGRADE" grade fork-shared-array -j "$JOBS" --cache-dir "$W/cache" -o "$W/out-d" "$W/class")
cached=$(grep -l '"cached": true' "$W"/out-d/*/report.json 2>/dev/null | wc -l)
ratio() { calc "$1 / $2"; }

printf '\n%-46s %9s %9s\n' "variant" "wall s" "ratio"
printf '%-46s %9.1f %9s\n' "(a) naive loop: gcc + tests, no sandbox" "$ta" "1.00"
printf '%-46s %9.1f %9s\n' "(b) ipcgrade grade -j1 --no-cache" "$tb" "$(ratio "$tb" "$ta")"
printf '%-46s %9.1f %9s\n' "(c) ipcgrade grade -j$JOBS, cold cache" "$tc" "$(ratio "$tc" "$ta")"
printf '%-46s %9.1f %9s\n' "(d) ipcgrade grade -j$JOBS, warm cache" "$td" "$(ratio "$td" "$ta")"
printf '(d) compiled nothing: %s of %s builds came from the cache\n' "$cached" "$N"
printf '\ntargets: (b) <= 1.25x (a): %s; (c) <= 0.65x (a): %s; (d) <= 0.3x (c): %s (d/c = %s)\n' \
	"$(holds "$tb <= 1.25 * $ta")" "$(holds "$tc <= 0.65 * $ta")" "$(holds "$td <= 0.30 * $tc")" \
	"$(ratio "$td" "$tc")"
exit 0
