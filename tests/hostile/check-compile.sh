#!/bin/sh
# Check every hostile program (tests/hostile/*.c): its header parses (the
# format in tests/hostile/README.md: known keys, verdicts, flags, checks) and
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
# Print what is wrong with the header of $1 (nothing when it is valid).
check_header() {
	awk '
	function bad(m) { printf "  line %d: %s\n", NR, m; errs++ }
	NR == 1 {
		if ($0 !~ /^\/\* hostile: [^ ].*: [^ ]/) bad("first line must be \"/* hostile: ATTACK: description\"")
		next
	}
	/^ \*\// { done = 1; exit }
	!/^ \*( |$)/ { bad("header lines start with \" * \""); next }
	/^ \* [a-z][a-z-]*: / {
		key = $2; sub(/:$/, "", key)
		val = $0; sub(/^ \* [a-z-]+: */, "", val)
		if (key == "expect") {
			seen_expect++
			n = split(val, v, "|")
			for (i = 1; i <= n; i++)
				if (v[i] !~ /^(ok|runtime_error|timeout|deadlock|memory_limit|output_limit|forbidden_syscall)$/)
					bad("unknown verdict \"" v[i] "\"")
		} else if (key == "flags") {
			n = split(val, v, " ")
			for (i = 1; i <= n; i++)
				if (v[i] !~ /^--(timeout|cpu-ms|memory-mb|processes|output-kb)=[1-9][0-9]*$/)
					bad("unknown flag \"" v[i] "\"")
		} else if (key == "modes") {
			n = split(val, v, " ")
			for (i = 1; i <= n; i++)
				if (v[i] !~ /^(full|reduced)$/) bad("unknown mode \"" v[i] "\"")
		} else if (key == "check") {
			if (val !~ /^(host-file-absent [^ ]+|host-unchanged|stdout-lacks [^ ].*|tcp-listener|grader-alive)$/)
				bad("unknown check \"" val "\"")
		} else if (key == "repeat" || key == "settle") {
			if (val !~ /^[1-9][0-9]*$/) bad(key " needs a positive integer")
		} else {
			bad("unknown key \"" key "\"")
		}
	}
	END {
		if (!done) bad("header comment not closed")
		if (!seen_expect) bad("no expect: line")
		if (seen_expect > 1) bad("more than one expect: line")
	}' "$1"
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
