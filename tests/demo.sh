#!/bin/sh
# demo.sh IPCGRADE - grade the bundled sample submissions and show the
# reports a student would read: the pipe assignment's reference solution,
# then faulty submissions that deadlock, skip the IPC, or race.
set -u
ipcgrade=${1:-build/ipcgrade}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

show() {
	echo
	echo "\$ ipcgrade check $1 $2"
	"$ipcgrade" check "$1" "$2"
	echo "(exit status $?)"
}

# show_faulty ASSIGNMENT NAME: a faulty submission is faulty/NAME.patch
# (solution/ with one mistake) or a folder faulty/NAME/; written out as a
# folder first, then checked.
show_faulty() {
	echo
	echo "\$ ipcgrade selftest --materialise $tmp/$2 assignments/$1/faulty/$2"
	"$ipcgrade" selftest --materialise "$tmp/$2" "assignments/$1/faulty/$2" || return
	show "$1" "$tmp/$2"
}

"$ipcgrade" doctor | tail -n 3
show pipe-messages assignments/pipe-messages/solution
show_faulty pipe-messages no-close-write-end
show_faulty pipe-messages one-process
show_faulty fork-shared-array global-array
show_faulty shared-counter post-after-loop
show_faulty sleeping-barber barber-never-woken
echo
echo "\$ ipcgrade run --trace -- (the pipe solution)"
gcc -std=gnu11 -O2 -o "$tmp/pipe" assignments/pipe-messages/solution/*.c -pthread -lrt &&
	"$ipcgrade" run --trace -- "$tmp/pipe" Hello World
exit 0
