#!/bin/sh
# demo-class.sh DIR [IPCGRADE] - a small class of pipe-messages submissions in DIR
# (which must not exist): the reference solution, each faulty submission
# under a student's name, an LMS single file that copies the solution,
# a copy with renamed variables and reordered functions, an independent
# solution and a student who handed in nothing. Used by `make
# report-screenshot` and the class report's tests.
set -eu
dir=$1
src=$(cd "$(dirname "$0")/.." && pwd)
ipcgrade=$(realpath "${2:-$src/build/ipcgrade}")
a=$src/assignments/pipe-messages
mkdir "$dir"
cd "$dir"
cp -r "$a/solution" alice
cp "$a/solution/pipe.c" carol_12345_67890_pipe.c
cp -r "$src/tests/fixtures/similarity/renamed" mallory
cp -r "$src/tests/fixtures/similarity/independent" oscar
mkdir dave
# Each faulty submission (a folder, or a patch against the solution),
# written out by ipcgrade itself.
n=0
for f in "$a"/faulty/*/ "$a"/faulty/*.patch; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=$(echo "bob erin frank grace heidi ivan judy ken lena nina olga pete" | cut -d' ' -f$n)
	[ -n "$name" ] || break
	f=${f%/}
	"$ipcgrade" selftest --materialise "$name" "$a/faulty/$(basename "${f%.patch}")" >/dev/null
done
