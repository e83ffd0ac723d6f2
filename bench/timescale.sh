#!/bin/bash
# bench/timescale.sh IPCGRADE [N] - grading with and without time_scale.
#
# The bundled sleeping-barber tests sleep microseconds (TB = 5 ms at most,
# TC = 0), while the course projects they stand for sleep hundreds of
# milliseconds at every step. So the spec graded here is the bundled one
# with every valid test's TB made 100 times longer (up to 500 ms) and TC
# (the customers' arrival gaps) as long as that TB, one run per test and a
# 30 s wall limit; the faster variant is the same spec with
# `time_scale: 0.01` at the top. The class is N (default 20) submissions:
# the solution (70%) and the faulty submissions whose mistake shows in
# every run (30%), each made unique by a comment. The build cache is
# filled first (untimed), so both gradings time the runs, the checkers and
# the reports, not the compiler. Prints both wall times, their ratio and
# whether every submission got the same verdicts (summary.csv), and how
# long the programs themselves ran (the runs' wall_ms, added up: the rest
# is the sandbox, the checkers and the reports); never fails.
set -u
IPCGRADE=$(readlink -f "${1:-build/ipcgrade}")
N=${2:-20}
JOBS=$(nproc)
HERE=$(cd "$(dirname "$0")/.." && pwd)
A=$HERE/assignments/sleeping-barber
W=$(mktemp -d /tmp/ipcgrade-bench-timescale.XXXXXX)
trap 'rm -rf "$W"' EXIT

faulty=(counter-not-shared leaves-before-haircut-done no-value-validation barber-never-woken threads leaked-named-semaphores)
mkdir -p "$W/class" "$W/faulty" "$W/slow" "$W/fast"
for f in "${faulty[@]}"; do
	"$IPCGRADE" selftest --materialise "$W/faulty/$f" "$A/faulty/$f" || exit 1
done
for i in $(seq -w 1 "$N"); do
	if (( 10#$i % 10 < 7 )); then src=$A/solution; else
		src=$W/faulty/${faulty[$(( 10#$i % ${#faulty[@]} ))]}; fi
	mkdir "$W/class/s$i"
	cp "$src"/* "$W/class/s$i/"
	for f in "$W/class/s$i"/*.c; do echo "/* submission $i */" >> "$f"; done
done

# The slow spec: valid tests (4 numeric args, TC and TB last, TB below
# 10 ms) get TC = TB = 100 x TB; no test keeps its own time_scale.
cp -r "$A/checkers" "$W/slow/"
sed -E -e 's/^( *runs:) [0-9]+/\1 1/' -e 's/^( *wall_ms:) 5000/\1 30000/' \
    -e 's/^(assignment:) sleeping-barber/\1 slow/' \
    -e '/^ *time_scale:/d' \
    -e 's/args: \["([0-9]+)", "([1-9][0-9]*)", "([0-9]+)", "([1-9][0-9]{0,3})"\]/args: ["\1", "\2", "\400", "\400"]/' \
    "$A/spec.yaml" > "$W/slow/spec.yaml"
cp -r "$W/slow/checkers" "$W/fast/"
sed -e 's/^assignment: slow/assignment: fast/' -e '0,/^limits:/s//time_scale: 0.01\nlimits:/' \
    "$W/slow/spec.yaml" > "$W/fast/spec.yaml"
"$IPCGRADE" validate "$W/slow/spec.yaml" > /dev/null && "$IPCGRADE" validate "$W/fast/spec.yaml" > /dev/null || exit 1

seconds() { # command...: wall seconds of the command
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > /dev/null 2>&1
	t1=$(date +%s.%N)
	awk "BEGIN { printf \"%.2f\", $t1 - $t0 }"
}
verdicts() { # OUT: one line per submission: id, score, per-test columns
	cut -d, -f1,3- "$1/summary.csv" | sort
}

echo "grading $N submissions of sleeping-barber (TC = TB = 100 x TB; 13 tests, 1 run each) on $JOBS CPUs"
grep -h 'args: \[' "$W/slow/spec.yaml" | head -3 | sed 's/^ */  e.g. /'
"$IPCGRADE" grade --spec "$W/slow/spec.yaml" -j "$JOBS" --cache-dir "$W/cache" -o "$W/out-warm" \
	"$W/class" > /dev/null 2>&1
ts=$(seconds "$IPCGRADE" grade --spec "$W/slow/spec.yaml" -j "$JOBS" --cache-dir "$W/cache" -o "$W/out-slow" "$W/class")
tf=$(seconds "$IPCGRADE" grade --spec "$W/fast/spec.yaml" -j "$JOBS" --cache-dir "$W/cache" -o "$W/out-fast" "$W/class")
same=no
if [ -s "$W/out-slow/summary.csv" ] && diff <(verdicts "$W/out-slow") <(verdicts "$W/out-fast") > "$W/diff"; then
	same=yes
fi
runs_s() { # OUT: the seconds the programs ran (wall_ms of every run in every report.json;
	# the checks of a test share its runs: counted once)
	cat "$1"/*/report.json | python3 -c '
import json, sys
d = json.JSONDecoder(); text = sys.stdin.read(); i = 0; ms = 0
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    o, i = d.raw_decode(text, i)
    seen = set()
    for t in o["tests"]:
        base = t["name"].rsplit(".", 1)[0] if "check" in t else t["name"]
        if base not in seen:
            seen.add(base)
            ms += sum(r["wall_ms"] for r in t["runs"])
print("%.1f" % (ms / 1000))'
}
rs=$(runs_s "$W/out-slow"); rf=$(runs_s "$W/out-fast")
printf '\n%-40s %9s %14s\n' "variant" "wall s" "programs ran s"
printf '%-40s %9.1f %14s\n' "without time_scale" "$ts" "$rs"
printf '%-40s %9.1f %14s\n' "time_scale: 0.01" "$tf" "$rf"
ratio=$(awk "BEGIN { printf \"%.1f\", $ts / $tf }")
printf '\nratio: %sx faster (target >= 10x: %s); same verdicts for every submission: %s\n' "$ratio" \
	"$(awk "BEGIN { exit !($ts >= 10 * $tf) }" && echo met || echo "TARGET MISSED")" "$same"
[ "$same" = yes ] || head -20 "$W/diff"
exit 0
