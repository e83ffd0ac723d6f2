#!/usr/bin/env bash
# bench/start.sh - what starting one sandboxed program costs (make bench-start).
#
# Times the whole command, fork to reaped, of /bin/true under:
#
#   bare      /bin/true
#   unshare   unshare --fork --pid --ipc --mount --net --uts /bin/true:
#             the namespaces alone, no file system, no limits, no filter
#   bwrap     bwrap --unshare-all --die-with-parent --ro-bind / / --tmpfs /tmp
#             --proc /proc --dev /dev /bin/true: Debian's bubblewrap with a
#             read-only system and a fresh tmpfs (no cgroup, no filter)
#   ipcgrade  ipcgrade run -- /bin/true: full isolation, cgroups, the
#             seccomp policy and its listener, default tracing
#   reduced   ipcgrade run --isolation reduced -- /bin/true (BENCH_START_REDUCED=1)
#
# bench/start_driver.c runs them: each round runs every variant once, in an
# order rotated from round to round, and every run is paired with the bare
# run of its round. The "over bare" column is the median of those paired
# differences: the fixed cost each variant adds. Targets are printed, never
# asserted (the machine is shared): ipcgrade's fixed cost below
# bubblewrap's; the moonshot, under 3 ms over bare.
#
# Environment:
#   IPCGRADE=PATH           the binary (default build/ipcgrade of this tree)
#   BENCH_START_RUNS=N      rounds (default 200)
#   BENCH_START_REDUCED=1   add the reduced-isolation variant
#   BENCH_OUT=DIR           binaries and raw results (default build/bench)
set -u
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IPCGRADE=${IPCGRADE:-$ROOT/build/ipcgrade}
RUNS=${BENCH_START_RUNS:-200}
OUT=${BENCH_OUT:-$ROOT/build/bench}

die() { echo "bench-start: $*" >&2; exit 2; }

mkdir -p "$OUT" || die "cannot create $OUT"
command -v gcc >/dev/null 2>&1 || die "gcc is missing"
[ -x "$IPCGRADE" ] || die "$IPCGRADE is missing: run make first"
cp "$IPCGRADE" "$OUT/ipcgrade.start" || die "cannot copy $IPCGRADE"
BIN=$OUT/ipcgrade.start
gcc -std=gnu11 -O2 -Wall -Wextra -o "$OUT/start_driver" "$ROOT/bench/start_driver.c" ||
	die "cannot build start_driver"

TRUE=/bin/true
variants=(bare "$TRUE" ";")
if unshare --fork --pid --ipc --mount --net --uts "$TRUE" 2>/dev/null; then
	variants+=(unshare unshare --fork --pid --ipc --mount --net --uts "$TRUE" ";")
else
	echo "unshare: SKIPPED (it cannot make the namespaces here)" >&2
fi
if ! command -v bwrap >/dev/null 2>&1; then
	echo "bubblewrap is missing: installing it with apt-get (make deps does too)" >&2
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	command -v apt-get >/dev/null 2>&1 &&
		{ $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1 ||
		  { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
		    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1; }; }
fi
BWRAP=(bwrap --unshare-all --die-with-parent --ro-bind / / --tmpfs /tmp --proc /proc --dev /dev "$TRUE")
if command -v bwrap >/dev/null 2>&1 && "${BWRAP[@]}" 2>/dev/null; then
	variants+=(bwrap "${BWRAP[@]}" ";")
else
	echo "bwrap: SKIPPED (not installed, or it cannot make its sandbox here)" >&2
fi
out=$("$BIN" run -- "$TRUE" 2>&1)
grep -q '^verdict: ok' <<<"$out" || { echo "$out" | sed 's/^/  | /' >&2; die "ipcgrade run -- /bin/true did not end ok"; }
iso=$(sed -n 's/.*isolation \([a-z]*\).*/\1/p' <<<"$out")
variants+=(ipcgrade "$BIN" run -- "$TRUE" ";")
[ "${BENCH_START_REDUCED:-0}" = 1 ] && variants+=(reduced "$BIN" run --isolation reduced -- "$TRUE" ";")
unset 'variants[${#variants[@]}-1]'	# the last ";"

echo "bench-start: $(nproc) CPUs, $RUNS rounds, interleaved; tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
	"binary built $(date -r "$IPCGRADE" '+%F %T'); ipcgrade's isolation: $iso"
echo "wall time of the whole command, fork to reaped (load: $(cut -d' ' -f1-3 /proc/loadavg))"
table=$(START_RESULTS=$OUT/start-results.txt "$OUT/start_driver" "$RUNS" "${variants[@]}") || die "the driver failed"
echo "$table"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); one line per run in $OUT/start-results.txt"

# columns: variant runs median ms q1 ms q3 ms over-bare ms ratio
ipc=$(awk '$1 == "ipcgrade" { print $9 }' <<<"$table")
bw=$(awk '$1 == "bwrap" { print $9 }' <<<"$table")
echo
if [ -n "$bw" ] && [ -n "$ipc" ]; then
	if awk -v a="$ipc" -v b="$bw" 'BEGIN { exit !(a + 0 < b + 0) }'; then
		echo "target: ipcgrade's fixed cost ($ipc ms) below bubblewrap's ($bw ms): met"
	else
		echo "target: ipcgrade's fixed cost ($ipc ms) below bubblewrap's ($bw ms): TARGET MISSED"
	fi
fi
if awk -v a="$ipc" 'BEGIN { exit !(a + 0 < 3) }'; then
	echo "moonshot: under 3 ms over bare ($ipc ms): met"
else
	echo "moonshot: under 3 ms over bare ($ipc ms): missed"
fi
exit 0
