#!/bin/sh
# run-tests.sh BINARY... - run cmocka test programs one after another,
# show their own summary lines, and fail when any of them failed.
failed=""
for t in "$@"; do
	echo "== $(basename "$t")"
	if ! "$t"; then
		failed="$failed $(basename "$t")"
	fi
done
if [ -n "$failed" ]; then
	echo "FAILED test programs:$failed" >&2
	exit 1
fi
echo "all $# test programs passed"
