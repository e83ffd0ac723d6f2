#!/bin/bash
# bench/races.sh [N] [LOAD] - how often, how fast, the race tests catch
# each bundled racy faulty submission, and what they cost a correct one.
#
# Every racy faulty submission (RACY below) and every correct solution
# (CORRECT) is materialised once (selftest --materialise) and graded N
# times (default 20) with `ipcgrade check --all --json`, first on the
# machine as it is, then while LOAD (default 2) shell loops spin. Prints
# per racy submission: the fraction of gradings that caught it (lost
# points), the median number of runs a failing race test made (the last
# being the failing one) and the median program time those runs took;
# per correct solution: the fraction with full marks and the median and
# worst time of a whole grading. A benchmark, never a test: the figures
# depend on the machine and on what else runs on it, and it never fails.
set -u
IPCGRADE=$(readlink -f "${IPCGRADE:-build/ipcgrade}")
N=${1:-20}
LOAD=${2:-2}
HERE=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/ipcgrade-bench-races.XXXXXX)
SPIN=()
cleanup() {
	for p in "${SPIN[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${SPIN[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RACY=(
	shared-counter/faulty/no-lock
	shared-counter/faulty/post-before-wait
	shared-counter/faulty/semaphore-not-shared
	shared-counter/faulty/check-then-act
	shared-counter/faulty/lock-initialised-in-child
	shared-counter/faulty/lock-in-some-processes
	shared-counter/faulty/unlocked-total-check
	barrier/faulty/no-barrier
	barrier/faulty/done-before-wait
	sleeping-barber/faulty/log-outside-lock
	sleeping-barber/faulty/waiting-room-off-by-one
	sleeping-barber/faulty/counts-barber-chair
)
CORRECT=(
	shared-counter/solution
	shared-counter/solutions/named-posix
	shared-counter/solutions/sysv-semop
	barrier/solution
	sleeping-barber/solution
)
[ -n "${BENCH_RACY:-}" ] && read -r -a RACY <<< "$BENCH_RACY"
[ -n "${BENCH_CORRECT:-}" ] && read -r -a CORRECT <<< "$BENCH_CORRECT"

# One folder per submission, named after it.
for s in "${RACY[@]}" "${CORRECT[@]}"; do
	d=$W/sub/${s//\//_}
	mkdir -p "$W/sub"
	case $s in
	*/solution) cp -R "$HERE/assignments/$s" "$d" ;;
	*) "$IPCGRADE" selftest --materialise "$d" "$HERE/assignments/$s" >/dev/null || exit 1 ;;
	esac
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

# grade SUBMISSION LABEL: N gradings, one JSON line each in $W/LABEL.jsonl
grade() {
	local s=$1 out=$W/$2.jsonl asg=${1%%/*}
	: > "$out"
	for _ in $(seq "$N"); do
		"$IPCGRADE" check --all --json "$asg" "$W/sub/${s//\//_}" 2>/dev/null |
			jq -c '{score, max_score, ms,
				fail: [.tests[] | select(.passed == false and .runs_planned > 1) |
				       {runs: .runs_done, ms: ([.runs[].wall_ms] | add)}]}' >> "$out"
	done
}

report() {
	local label=$1
	printf '%-28s %-44s %-9s %-9s %-8s %s\n' "$label" "racy submission" caught "" "runs" "program ms to catch (median)"
	for s in "${RACY[@]}"; do
		f=$W/racy-${s//\//_}-$label.jsonl
		grade "$s" "racy-${s//\//_}-$label"
		n=$(wc -l < "$f")
		c=$(jq -s '[.[] | select(.score < .max_score)] | length' "$f")
		r=$(jq '.fail[].runs' "$f" | median)
		t=$(jq '.fail[].ms' "$f" | median)
		printf '%-28s %-44s %4s/%-4s %5.1f%%  %-8s %s\n' "" "$s" "$c" "$n" \
			"$(awk -v c="$c" -v n="$n" 'BEGIN { print n ? 100 * c / n : 0 }')" "$r" "$t"
	done
	printf '%-28s %-44s %-9s %-9s %s\n' "" "correct solution" "full" "" "grading ms (median, worst)"
	for s in "${CORRECT[@]}"; do
		f=$W/ok-${s//\//_}-$label.jsonl
		grade "$s" "ok-${s//\//_}-$label"
		n=$(wc -l < "$f")
		c=$(jq -s '[.[] | select(.score >= .max_score)] | length' "$f")
		m=$(jq '.ms' "$f" | median)
		x=$(jq '.ms' "$f" | sort -n | tail -1)
		printf '%-28s %-44s %4s/%-4s %5.1f%%  %s, %s\n' "" "$s" "$c" "$n" \
			"$(awk -v c="$c" -v n="$n" 'BEGIN { print n ? 100 * c / n : 0 }')" "$m" "$x"
	done
}

echo "bench-races: $N gradings each, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
report "as the machine is"
for _ in $(seq "$LOAD"); do
	(while :; do :; done) &
	SPIN+=($!)
done
report "with $LOAD spinning loops"
