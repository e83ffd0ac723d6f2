#!/bin/sh
# make-bundle.sh ASSIGNMENT|SPEC_DIR [OUT.zip]
#
# Makes the zip to upload as a Gradescope "autograder": setup.sh and
# run_autograder at its root, ipcgrade's source (what git tracks in this
# checkout: Makefile, harness/, grader/, assignments/), and either the name
# of a bundled assignment (ASSIGNMENT file) or an instructor's spec folder
# (copied to spec/; it must hold spec.yaml and the files the spec names).
#   docker/gradescope/make-bundle.sh pipe-messages autograder.zip
#   docker/gradescope/make-bundle.sh ~/course/lab3-spec/ lab3.zip
# Set IPCGRADE_FLAGS (e.g. --require-isolation) to put it in ipcgrade.env.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 ASSIGNMENT|SPEC_DIR [OUT.zip]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(realpath -m "${2:-autograder.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

cp "$here/setup.sh" "$here/run_autograder" "$stage/"
if [ -d "$1" ]; then
	[ -f "$1/spec.yaml" ] || { echo "$1 has no spec.yaml" >&2; exit 2; }
	mkdir "$stage/spec" && cp -R "$1/." "$stage/spec/"
elif [ -f "$root/assignments/$1/spec.yaml" ]; then
	printf '%s\n' "$1" >"$stage/ASSIGNMENT"
else
	echo "no bundled assignment '$1' (see: ipcgrade list) and no such folder" >&2
	exit 2
fi
[ -n "${IPCGRADE_FLAGS:-}" ] && printf 'IPCGRADE_FLAGS="%s"\n' "$IPCGRADE_FLAGS" >"$stage/ipcgrade.env"
# What git tracks (working-tree content), never build/ or stray files;
# outside a git checkout, the four source paths as they are.
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -z -- Makefile harness grader assignments |
		tar --null -T - -czf "$stage/ipcgrade-src.tar.gz")
else
	tar -C "$root" -czf "$stage/ipcgrade-src.tar.gz" Makefile harness grader assignments
fi
rm -f "$out"
set --
for f in setup.sh run_autograder ipcgrade-src.tar.gz ASSIGNMENT ipcgrade.env spec; do
	if [ -e "$stage/$f" ]; then set -- "$@" "$f"; fi
done
if command -v zip >/dev/null 2>&1; then
	(cd "$stage" && zip -qr "$out" "$@")
else
	(cd "$stage" && python3 -m zipfile -c "$out" "$@")
fi
echo "wrote $out"
