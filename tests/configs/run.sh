#!/usr/bin/env bash
# tests/configs/run.sh - the end-to-end and hostile subsets in the
# configurations a fresh machine may have, each simulated inside the
# test's own mount namespace (nothing of the host's mounts changes).
#
#   tests/configs/run.sh [--quick] [CONFIG...]
#   (make test-configs: every configuration; make test: --quick
#    root-mqueue user)
#
# CONFIG (default: all of them):
#   root            root; /dev/mqueue not mounted; the machine's cgroups
#   root-mqueue     root; /dev/mqueue mounted (a private /dev that has one)
#   root-nocgroup   root; no cgroup at all (the cgroup mounts detached):
#                   rlimits hold every limit
#   root-cgroup-v1  root; cgroup v1 controllers only (cgroup2 detached)
#   root-cgroup-v2  root; cgroup v2 with controllers (the v1 mounts
#                   detached): SKIPPED where no cgroup v2 hierarchy has any
#   user            an ordinary user (uid 65534) with user namespaces;
#                   /dev/mqueue not mounted
#   user-mqueue     the same, /dev/mqueue mounted
#   user-nouserns   an ordinary user whose user namespaces are refused by a
#                   seccomp filter, as Docker's default profile does:
#                   reduced isolation only
#
# Each configuration prints what it is, then runs the end-to-end tests
# test_host, test_run and test_deadlock (--quick: test_host and test_run)
# and a subset of the hostile corpus (tests/hostile/run.sh; for an ordinary
# user the grader is started through setpriv), and ends with one line:
# PASS, FAIL, or SKIPPED with the reason, and the SKIPPED lines of its
# tests, counted. The hostile runner, which needs root for its guard, runs
# as root in every configuration, and starts the grader as the
# configuration does: through setpriv for an ordinary user, and in a mount
# namespace of its own with the configuration's cgroup mounts detached
# (the guard keeps its cgroups). Logs: BUILD/configs/CONFIG.*.log. Needs
# root itself (to make the namespaces and to drop to an ordinary user):
# SKIPPED otherwise.
#
# Environment: IPCGRADE (build/ipcgrade), BUILD (build). Exit status: 0
# when nothing failed, 1 otherwise, 2 on a usage or setup error.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${CONFIGS_ROOT:-$(cd "$HERE/../.." && pwd)}
BUILD=${BUILD:-$ROOT/build}
IPCGRADE=${IPCGRADE:-$BUILD/ipcgrade}
USER_UID=65534
ALL="root root-mqueue root-nocgroup root-cgroup-v1 root-cgroup-v2 user user-mqueue user-nouserns"
HOSTILE_SUBSET="posix-ipc-leak sysv-leak mq-huge posix-shm-huge fork-bomb thread-bomb memory-hog
	cpu-spin kill-every-pid kill-pgrp orphan-sleepers setsid-daemon write-tmp unshare-user ptrace-parent"
HOSTILE_QUICK="posix-ipc-leak sysv-leak mq-huge fork-bomb memory-hog kill-every-pid orphan-sleepers"

say() { printf '%s\n' "$*"; }

describe() {
	case $1 in
	root) say "root; /dev/mqueue not mounted; the machine's cgroups" ;;
	root-mqueue) say "root; /dev/mqueue mounted" ;;
	root-nocgroup) say "root; no cgroup at all: rlimits only" ;;
	root-cgroup-v1) say "root; cgroup v1 controllers only" ;;
	root-cgroup-v2) say "root; cgroup v2 with controllers" ;;
	user) say "uid $USER_UID with user namespaces; /dev/mqueue not mounted" ;;
	user-mqueue) say "uid $USER_UID with user namespaces; /dev/mqueue mounted" ;;
	user-nouserns) say "uid $USER_UID, user namespaces refused (reduced isolation only); /dev/mqueue not mounted" ;;
	*) return 1 ;;
	esac
}

# ======================================================================
# inner: in a mount namespace of our own, set up one configuration
# ======================================================================

# A private /dev that has /dev/mqueue: a small tmpfs with the device
# files and directories programs use bound in, and the queue file system
# of our IPC namespace (the host's) mounted at mqueue.
dev_with_mqueue() {
	local t=$W/dev n
	mkdir -p "$t" && mount -t tmpfs -o mode=755,size=64k ipcgrade-configs-dev "$t" || return 1
	for n in null zero full random urandom tty ptmx; do
		[ -e "/dev/$n" ] || continue
		touch "$t/$n" && mount --bind "/dev/$n" "$t/$n" || return 1
	done
	for n in pts shm; do
		mkdir "$t/$n" && mount --rbind "/dev/$n" "$t/$n" || return 1
	done
	ln -s /proc/self/fd "$t/fd"
	ln -s /proc/self/fd/0 "$t/stdin"
	ln -s /proc/self/fd/1 "$t/stdout"
	ln -s /proc/self/fd/2 "$t/stderr"
	mkdir "$t/mqueue" && mount -t mqueue ipcgrade-configs-mqueue "$t/mqueue" || return 1
	mount --move "$t" /dev
}

no_mqueue() {
	if grep -q ' /dev/mqueue ' /proc/self/mountinfo; then umount -l /dev/mqueue || return 1; fi
	return 0
}

# Mount points of cgroup file systems of one version (1 or 2).
cgroup_mounts() {
	awk -v v="$1" '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
		if ((v == 1 && $(i + 1) == "cgroup") || (v == 2 && $(i + 1) == "cgroup2")) print $5 }' \
		/proc/self/mountinfo | sort -r
}

# Why no cgroup v2 hierarchy with controllers can be had here ("" when one can).
v2_missing() {
	local m self
	for m in $(cgroup_mounts 2); do
		self=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
		if grep -qwE 'memory|pids' "$m$self/cgroup.controllers" 2>/dev/null; then return 0; fi
	done
	if [ -z "$(cgroup_mounts 2)" ]; then say "no cgroup2 file system is mounted"; return 0; fi
	say "the memory and pids controllers are bound to cgroup v1 hierarchies here, so no cgroup v2 hierarchy can have them (cgroup.controllers: $(cat "$(cgroup_mounts 2 | head -1)/cgroup.controllers" 2>/dev/null | tr '\n' ' '))"
}

# The mounts of a configuration that every process of it sees (queues).
setup() { # CONFIG: prints "SKIPPED: why" and returns 1 when it cannot be had
	case $1 in
	root-mqueue | user-mqueue)
		dev_with_mqueue || { say "SKIPPED: cannot make a private /dev with an mqueue mount"; return 1; } ;;
	*) no_mqueue || return 2 ;;
	esac
	case $1 in
	root-cgroup-v1)
		[ -n "$(cgroup_mounts 1)" ] || { say "SKIPPED: no cgroup v1 hierarchy is mounted here"; return 1; } ;;
	root-cgroup-v2)
		local why
		why=$(v2_missing)
		[ -z "$why" ] || { say "SKIPPED: $why"; return 1; } ;;
	esac
	return 0
}

# What hides cgroups from the grader alone, so that the hostile runner's
# guard keeps its own: a mount namespace per start of ipcgrade in which
# the cgroup mounts of the configuration are detached.
cgroup_prefix() { # CONFIG
	local which
	case $1 in
	root-nocgroup) which="1 2" ;;
	root-cgroup-v1) which=2 ;;
	root-cgroup-v2) which=1 ;;
	*) return 0 ;;
	esac
	printf '%s\n' unshare -m --propagation private sh -c \
		"for v in $which; do for m in \$(awk -v v=\$v '{ for (i = 1; i <= NF; i++) if (\$i == \"-\") break; if ((v == 1 && \$(i + 1) == \"cgroup\") || (v == 2 && \$(i + 1) == \"cgroup2\")) print \$5 }' /proc/self/mountinfo | sort -r); do umount -l \$m; done; done; exec \"\$@\"" sh
}

inner() { # CONFIG QUICK
	local config=$1 quick=$2 rc=0 t run=() e2e hostile wrapper prefix=() skip="" n
	setup "$config"
	case $? in 0) ;; 1) return 77 ;; *) say "FAIL: cannot set up $config"; return 1 ;; esac
	e2e="test_host test_run test_deadlock"
	hostile=$HOSTILE_SUBSET
	[ "$quick" = 1 ] && e2e="test_host test_run" && hostile=$HOSTILE_QUICK
	mapfile -t prefix < <(cgroup_prefix "$config")
	case $config in
	user*)
		mkdir -p "$W/user/run" "$W/user/tmp" && chown -R "$USER_UID:$USER_UID" "$W/user"
		chmod 0700 "$W/user/run"
		run=(setpriv --reuid="$USER_UID" --regid="$USER_UID" --clear-groups)
		[ "$config" = user-nouserns ] && run+=("$W/bin/nouserns")
		run+=(env HOME="$W/user" XDG_RUNTIME_DIR="$W/user/run" TMPDIR="$W/user/tmp")
		;;
	esac
	if [ "$config" = user-nouserns ]; then
		skip="unshare-user"
		say "   SKIPPED hostile unshare-user: user namespaces are refused before the sandbox's policy sees the call (as by Docker's default profile): EPERM, so runtime_error, not forbidden_syscall"
	fi
	# the grader as the configuration starts it: for the hostile runner
	# (root), and for the tests (as the configuration's user)
	wrapper=$W/bin/ipcgrade-$config
	{
		printf '#!/bin/bash\n# the grader in configuration %s (tests/configs/run.sh); a test that\n' "$config"
		printf '# drops to an ordinary user itself starts it plainly\n'
		printf '[ "$(id -u)" = 0 ] || exec %q "$@"\n' "$IPCGRADE"
		printf 'exec'
		[ ${#prefix[@]} -gt 0 ] && printf ' %q' "${prefix[@]}"
		[ ${#run[@]} -gt 0 ] && printf ' %q' "${run[@]}"
		printf ' %q "$@"\n' "$IPCGRADE"
	} > "$wrapper"
	chmod 0755 "$wrapper"
	say "   /dev/mqueue: $(grep -q ' /dev/mqueue ' /proc/self/mountinfo && echo mounted || echo not mounted);" \
		"the grader sees cgroup v1 mounts: $("${prefix[@]}" awk '$0 ~ / - cgroup / { n++ } END { print n + 0 }' /proc/self/mountinfo)," \
		"cgroup2 mounts: $("${prefix[@]}" awk '$0 ~ / - cgroup2 / { n++ } END { print n + 0 }' /proc/self/mountinfo)"
	say "   doctor: $("$wrapper" doctor 2>&1 | grep -E '^runs will use|^queues' | paste -sd';')"
	for t in $e2e; do
		say "   -- $t"
		# as root the tests start the grader through the wrapper (cgroups
		# hidden); as the user, they are that user and start it plainly
		local ig=$wrapper
		[ ${#run[@]} -gt 0 ] && ig=$IPCGRADE
		(cd "$ROOT" && "${run[@]}" env IPCGRADE="$ig" FIXTURES="$BUILD/fixtures" ARTIFACTS="$W/artifacts" \
			HOST_ZOMBIE_REPEAT=20 "$BUILD/tests/$t") > "$LOGS/$config.$t.log" 2>&1 || rc=1
		grep -E '^\[  (PASSED|FAILED)|SKIPPED' "$LOGS/$config.$t.log" | sort | uniq -c | sed 's/^ */      /'
	done
	say "   -- hostile subset"
	n=""
	for t in $hostile; do case " $skip " in *" $t "*) ;; *) n="$n $t" ;; esac; done
	# shellcheck disable=SC2086  # a list of names
	IPCGRADE=$wrapper HOSTILE=$BUILD/hostile "$ROOT/tests/hostile/run.sh" $n > "$LOGS/$config.hostile.log" 2>&1 || rc=1
	grep -E '^(FAIL|SKIPPED)|^summary|^hostile corpus' "$LOGS/$config.hostile.log" | head -30 | sed 's/^/      /'
	[ $rc = 0 ] || say "   logs: $LOGS/$config.*.log"
	return $rc
}

# ======================================================================
# outer: one mount namespace per configuration
# ======================================================================

main() {
	local quick=0 configs=() c rc=0 out status
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) quick=1 ;;
		-h | --help) sed -n '2,/^set -u/s/^# \{0,1\}//p' "$0" | sed '$d'; exit 0 ;;
		*) describe "$1" > /dev/null || { echo "configs: unknown configuration '$1' (one of: $ALL)" >&2; exit 2; }
		   configs+=("$1") ;;
		esac
		shift
	done
	[ ${#configs[@]} -gt 0 ] || read -ra configs <<< "$ALL"
	if [ "$(id -u)" != 0 ]; then
		say "configs: SKIPPED: making the configurations needs root (mount namespaces, an ordinary user to drop to)"
		exit 0
	fi
	for c in unshare setpriv gcc; do
		command -v $c > /dev/null || { say "configs: SKIPPED: $c not found"; exit 0; }
	done
	[ -x "$IPCGRADE" ] || { echo "configs: no grader at $IPCGRADE (run make)" >&2; exit 2; }
	for t in test_host test_run test_deadlock; do
		[ -x "$BUILD/tests/$t" ] || { echo "configs: no $BUILD/tests/$t (run make e2e first)" >&2; exit 2; }
	done
	W=$(mktemp -d /tmp/ipcgrade-configs.XXXXXX) || exit 2
	chmod 0755 "$W"
	trap 'rm -rf "$W"' EXIT
	mkdir -p "$W/bin" "$W/artifacts"
	chmod 0777 "$W/artifacts"
	if ! gcc -std=gnu11 -O2 -Wall -Wextra -o "$W/bin/nouserns" "$HERE/nouserns.c" -lseccomp 2> "$W/gcc.log"; then
		cat "$W/gcc.log" >&2
		echo "configs: cannot build tests/configs/nouserns.c" >&2
		exit 2
	fi
	LOGS=$BUILD/configs
	rm -rf "$LOGS" && mkdir -p "$LOGS" && chmod 0777 "$LOGS"
	# The ordinary user's configurations run the tests as that user: a
	# checkout in a private folder (mktemp -d makes one) is not theirs to
	# reach, so they get a copy of it that they may read.
	if ! setpriv --reuid="$USER_UID" --regid="$USER_UID" --clear-groups \
		test -x "$BUILD/tests/test_host" -a -r "$ROOT/Makefile" 2> /dev/null; then
		cp -a "$ROOT" "$W/tree" && chmod -R a+rX "$W/tree" || exit 2
		case $IPCGRADE in "$ROOT"/*) IPCGRADE=$W/tree/${IPCGRADE#"$ROOT"/} ;; esac
		case $BUILD in "$ROOT"/*) BUILD=$W/tree/${BUILD#"$ROOT"/} ;; esac
		ROOT=$W/tree
		rm -rf "$BUILD/configs"
	fi
	export CONFIGS_ROOT=$ROOT
	export W IPCGRADE BUILD LOGS
	for c in "${configs[@]}"; do
		say "== configuration $c: $(describe "$c")"
		unshare -m --propagation private bash "$0" --inner "$c" "$quick"
		status=$?
		case $status in
		0) out="PASS" ;;
		77) out="SKIPPED (see above)" ;;
		*) out="FAIL"; rc=1 ;;
		esac
		say "== configuration $c: $out"
	done
	return $rc
}

if [ "${1:-}" = --inner ]; then
	inner "$2" "$3"
	exit $?
fi
main "$@"
