#!/usr/bin/env bash
# tests/hostcheck.sh - the test suite leaves the host as it found it.
#
#   tests/hostcheck.sh snapshot FILE    record the host's state in FILE
#   tests/hostcheck.sh compare FILE     fail, naming them, on things that are
#                                       new since FILE and are the suite's
#
# `make test` takes the snapshot before its first test and compares after
# its last. What is compared, one item a line:
#   shm NAME UID        entries of /dev/shm
#   mq NAME UID         POSIX message queues, read through a private mqueue
#                       mount (as root; whether or not /dev/mqueue is mounted)
#   sysv KIND ID CUID   System V shared memory, semaphores, message queues
#   proc PID UID COMM   processes of the box uids (60000-60999)
#   tmp|vartmp NAME UID entries of /tmp and /var/tmp
# A new item is the suite's when its name says ipcgrade or its owner is a
# box uid (the suite's programs run as 60000+slot when it runs as root):
# then compare fails. Other new items are printed as notes: on a shared
# machine other people's programs come and go. HOSTCHECK_STRICT=1 fails on
# any new item (a machine nobody else uses while the suite runs);
# HOSTCHECK_SHARED=1 only prints notes (a machine where other ipcgrade
# suites run at the same time, whose box-uid processes look like ours).
# Exit status: 0 clean, 1 something new is the suite's, 2 usage.
set -u
BOX_UID_MIN=60000
BOX_UID_MAX=60999

state() {
	local f name uid
	for f in /dev/shm/* /dev/shm/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf 'shm %s %s\n' "$(basename "$f")" "$(stat -c %u "$f")"
	done
	if [ "$(id -u)" = 0 ]; then
		local d
		d=$(mktemp -d /tmp/hostcheck-mq.XXXXXX) || return
		unshare -m sh -c "mount -t mqueue none '$d' 2>/dev/null && cd '$d' && for q in *; do [ -e \"\$q\" ] && printf 'mq %s %s\n' \"\$q\" \"\$(stat -c %u \"\$q\")\"; done" 2>/dev/null
		rmdir "$d"
	elif [ -d /dev/mqueue ]; then
		for f in /dev/mqueue/*; do
			[ -e "$f" ] && printf 'mq %s %s\n' "$(basename "$f")" "$(stat -c %u "$f")"
		done
	fi
	# /proc/sysvipc/*: key id perms ... ; the creator's uid is the 8th
	# field of shm ("cuid" after uid), 5th of sem ... read the header.
	local kind
	for kind in shm sem msg; do
		[ -r /proc/sysvipc/$kind ] || continue
		awk -v k=$kind 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cuid") c = i; next }
			c { printf "sysv %s %s %s\n", k, $2, $c }' /proc/sysvipc/$kind
	done
	ps -eo pid=,uid=,comm= 2>/dev/null | awk -v lo=$BOX_UID_MIN -v hi=$BOX_UID_MAX \
		'$2 >= lo && $2 <= hi { printf "proc %s %s %s\n", $1, $2, $3 }'
	for f in /tmp/* /tmp/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		name=$(basename "$f")
		case $name in hostcheck-mq.* | hostcheck-now.*) continue ;; esac
		printf 'tmp %s %s\n' "$name" "$(stat -c %u "$f")"
	done
	for f in /var/tmp/* /var/tmp/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf 'vartmp %s %s\n' "$(basename "$f")" "$(stat -c %u "$f")"
	done
}

case ${1:-} in
snapshot)
	[ $# = 2 ] || { echo "usage: $0 snapshot FILE" >&2; exit 2; }
	state | sort > "$2"
	;;
compare)
	[ $# = 2 ] || { echo "usage: $0 compare FILE" >&2; exit 2; }
	[ -r "$2" ] || { echo "hostcheck: no snapshot $2" >&2; exit 2; }
	now=$(mktemp /tmp/hostcheck-now.XXXXXX) || exit 2
	state | sort > "$now"
	fail=0 notes=0
	while read -r kind a b c; do
		[ -n "$kind" ] || continue
		case $kind in
		sysv) name="$kind $a id $b"; uid=$c ;;
		proc) name="process $a ($c)"; uid=$b ;;
		*) name="$kind $a"; uid=$b ;;
		esac
		ours=0
		case "$a $c" in *ipcgrade*) ours=1 ;; esac
		[ "$uid" -ge $BOX_UID_MIN ] 2>/dev/null && [ "$uid" -le $BOX_UID_MAX ] && ours=1
		[ "${HOSTCHECK_STRICT:-0}" = 1 ] && ours=1
		[ "${HOSTCHECK_SHARED:-0}" = 1 ] && ours=0
		if [ $ours = 1 ]; then
			echo "hostcheck: FAIL: the suite left $name (uid $uid)"
			fail=1
		else
			echo "hostcheck: note: new since the suite started, not the suite's: $name (uid $uid)"
			notes=$((notes + 1))
		fi
	done < <(comm -13 "$2" "$now")
	rm -f "$now"
	[ $fail = 1 ] && echo "hostcheck: (other ipcgrade suites running on this machine at the same time? HOSTCHECK_SHARED=1 makes these notes)"
	if [ $fail = 0 ]; then
		msg="hostcheck: the host is as the suite found it (/dev/shm, POSIX queues, System V IPC, box-uid processes, /tmp, /var/tmp)"; [ $notes -gt 0 ] && msg="$msg; $notes note(s) above"; echo "$msg"
	fi
	exit $fail
	;;
*)
	echo "usage: $0 snapshot FILE | compare FILE" >&2
	exit 2
	;;
esac
