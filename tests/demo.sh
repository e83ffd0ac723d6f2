#!/bin/sh
# demo.sh IPCGRADE - grade the bundled sample submissions and show the
# reports a student would read: the pipe assignment's reference solution,
# then faulty submissions that deadlock, skip the IPC, or race.
set -u
ipcgrade=${1:-build/ipcgrade}

show() {
	echo
	echo "\$ ipcgrade check $1 $2"
	"$ipcgrade" check "$1" "$2"
	echo "(exit status $?)"
}

"$ipcgrade" doctor | tail -n 3
show pipe-messages assignments/pipe-messages/solution
show pipe-messages assignments/pipe-messages/faulty/no-close-write-end
show pipe-messages assignments/pipe-messages/faulty/one-process
show fork-shared-array assignments/fork-shared-array/faulty/global-array
show shared-counter assignments/shared-counter/faulty/post-after-loop
echo
echo "\$ ipcgrade run --trace -- (the pipe solution)"
tmp=$(mktemp -d)
gcc -std=gnu11 -O2 -o "$tmp/pipe" assignments/pipe-messages/solution/*.c -pthread -lrt &&
	"$ipcgrade" run --trace -- "$tmp/pipe" Hello World
rm -rf "$tmp"
exit 0
