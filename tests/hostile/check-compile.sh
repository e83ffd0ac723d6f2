#!/bin/sh
# Check every hostile program (tests/hostile/*.c): its header parses (the
# format in tests/hostile/README.md: known keys, verdicts, flags, checks;
# parsed by tests/fixture_header.h, as the runner parses it) and
# it compiles with the grader's default flags, into a temporary directory,
# without a warning. Nothing is run.
# Usage: tests/hostile/check-compile.sh [OUTDIR]   (default: a temporary directory, removed afterwards)
# Exit status: 0 when every header is valid and every program compiles
# without a warning, 1 otherwise.
# The build/ submissions are meant NOT to compile and are not touched here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -pthread"
LDFLAGS="-lrt"
if [ $# -ge 1 ]; then out=$1; mkdir -p "$out"; keep=1; else out=$(mktemp -d); keep=0; fi
fail=0; n=0
# The header parser the runner and the C tests use (tests/fixture_header.h).
parser=$out/.fixture_header
if ! msg=$($CC -std=gnu11 -O2 -o "$parser" "$here/../fixture_header.c" 2>&1); then
	echo "cannot build tests/fixture_header.c:"; echo "$msg"; [ $keep = 1 ] || rm -rf "$out"; exit 1
fi
# Print what is wrong with the header of $1 (nothing when it is valid):
# the parser checks its shape, this checks its keys and values.
check_header() {
	if ! parsed=$("$parser" "$1" 2>&1); then
		echo "  $parsed"; return
	fi
	printf '%s\n' "$parsed" | awk '
	function bad(m) { printf "  line %d: %s\n", $1, m; errs++ }
	{ key = $2; val = $0; sub(/^[0-9]+ [a-z_-]+ */, "", val) }
	$1 == 1 {
		first = 1
		if (key != "hostile" || val !~ /^[^ ].*: [^ ]/) bad("first line must be \"/* hostile: ATTACK: description\"")
		next
	}
	key == "expect" {
		seen_expect++
		n = split(val, v, "|")
		for (i = 1; i <= n; i++)
			if (v[i] !~ /^(ok|runtime_error|timeout|deadlock|memory_limit|output_limit|forbidden_syscall)$/)
				bad("unknown verdict \"" v[i] "\"")
		next
	}
	key == "flags" {
		n = split(val, v, " ")
		for (i = 1; i <= n; i++)
			if (v[i] !~ /^--(timeout|cpu-ms|memory-mb|processes|output-kb)=[1-9][0-9]*$/)
				bad("unknown flag \"" v[i] "\"")
		next
	}
	key == "modes" {
		n = split(val, v, " ")
		for (i = 1; i <= n; i++)
			if (v[i] !~ /^(full|reduced)$/) bad("unknown mode \"" v[i] "\"")
		next
	}
	key == "check" {
		if (val !~ /^(host-file-absent [^ ]+|host-unchanged|stdout-lacks [^ ].*|tcp-listener|grader-alive)$/)
			bad("unknown check \"" val "\"")
		next
	}
	key == "repeat" || key == "settle" {
		if (val !~ /^[1-9][0-9]*$/) bad(key " needs a positive integer")
		next
	}
	{ bad("unknown key \"" key "\"") }
	END {
		if (!first) printf "  line 1: first line must be \"/* hostile: ATTACK: description\"\n"
		if (!seen_expect) printf "  no expect: line\n"
		if (seen_expect > 1) printf "  more than one expect: line\n"
	}'
}

for src in "$here"/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	n=$((n + 1))
	if msg=$(check_header "$src") && [ -n "$msg" ]; then
		echo "HEADER $name.c"; echo "$msg"; fail=1
	fi
	if ! msg=$($CC $CFLAGS -o "$out/$name" "$src" $LDFLAGS 2>&1); then
		echo "FAIL $name.c"; echo "$msg"; fail=1
	elif [ -n "$msg" ]; then
		echo "WARN $name.c"; echo "$msg"; fail=1
	fi
done
[ $keep = 1 ] || rm -rf "$out"
echo "checked and compiled $n hostile programs: $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
