#!/usr/bin/env bash
# tests/guard.sh - the outer guard for dangerous tests.
#
#   tests/guard.sh [--pids N] [--memory-mb M] [--timeout S] -- COMMAND [ARGS...]
#
# Runs COMMAND so that a sandbox bug found during development cannot take
# the machine down:
#
#   * a fresh cgroup created UNDER the caller's current cgroup (so limits
#     nest) with pids.max = N (default 512) and a memory limit of M MiB
#     (default 2048; swap is limited too where the kernel allows it).
#     Per controller, cgroup v2 is used when the caller's v2 cgroup offers
#     it (cgroup.controllers), else the cgroup v1 hierarchy that has it.
#   * a new PID namespace with its own /proc (unshare --pid --fork
#     --mount-proc; as non-root: --user --map-root-user as well).  When
#     COMMAND exits, the kernel kills everything it left in the namespace.
#     PID 1 of the namespace is a tiny perl init that forwards TERM, INT,
#     HUP, QUIT, USR1, USR2 to COMMAND, reaps orphans, and exits with
#     COMMAND's status -- so COMMAND itself is not PID 1 and keeps normal
#     signal semantics (without perl, COMMAND runs as PID 1).
#   * optionally (--timeout S) a wall-clock limit: after S seconds
#     everything in the guard cgroup is SIGKILLed and the guard exits 124.
#
# Exit status: COMMAND's status (128+N when it was killed by signal N);
# 124 after --timeout; 64 for a usage error; 77 when a protection cannot
# be provided -- then COMMAND is NOT run and one line
#   guard: SKIPPED: <reason>
# goes to stderr (77 is the automake/TAP convention for "skipped").
#
# Afterwards the guard cgroup (and any cgroups COMMAND created below it)
# is emptied with SIGKILL and removed, also when the guard itself gets
# INT/TERM/HUP.  GUARD_VERBOSE=1 prints what was set up to stderr.
#
# What it does NOT do: it does not isolate files, network, IPC objects or
# the host's other processes from a root COMMAND that attacks on purpose
# (e.g. one that writes its own pid into another cgroup).  It contains
# accidents, it is not the sandbox.  Never run a hostile program natively
# without it all the same.

set -u
umask 022

PIDS=512
MEM_MB=2048
TIMEOUT=0

usage() {
	cat >&2 <<'EOF'
usage: tests/guard.sh [--pids N] [--memory-mb M] [--timeout S] -- COMMAND [ARGS...]
  --pids N        pids.max of the guard cgroup (default 512)
  --memory-mb M   memory limit of the guard cgroup in MiB (default 2048)
  --timeout S     SIGKILL everything after S seconds and exit 124 (default: none)
exit status: COMMAND's (128+N if killed by signal N), 124 on timeout,
             77 (with "guard: SKIPPED: reason" on stderr) when not protected, 64 on usage error
EOF
}
die_usage() { printf 'guard: %s\n' "$*" >&2; usage; exit 64; }
verbose() { [ "${GUARD_VERBOSE:-0}" = 1 ] && printf 'guard: %s\n' "$*" >&2; return 0; }

is_posint() { case $1 in '' | *[!0-9]* | 0*) return 1 ;; esac; return 0; }

while [ $# -gt 0 ]; do
	case $1 in
	--pids) [ $# -ge 2 ] || die_usage "--pids needs a value"; PIDS=$2; shift 2 ;;
	--pids=*) PIDS=${1#*=}; shift ;;
	--memory-mb) [ $# -ge 2 ] || die_usage "--memory-mb needs a value"; MEM_MB=$2; shift 2 ;;
	--memory-mb=*) MEM_MB=${1#*=}; shift ;;
	--timeout) [ $# -ge 2 ] || die_usage "--timeout needs a value"; TIMEOUT=$2; shift 2 ;;
	--timeout=*) TIMEOUT=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) die_usage "unknown option '$1' (the command goes after --)" ;;
	esac
done
[ $# -ge 1 ] || die_usage "no COMMAND given"
is_posint "$PIDS" || die_usage "--pids must be a positive integer, not '$PIDS'"
is_posint "$MEM_MB" || die_usage "--memory-mb must be a positive integer, not '$MEM_MB'"
[ "$TIMEOUT" = 0 ] || is_posint "$TIMEOUT" || die_usage "--timeout must be a non-negative integer, not '$TIMEOUT'"
MEM_BYTES=$((MEM_MB * 1024 * 1024))

# ---------------------------------------------------------------- state
GUARD_DIRS=()		# cgroup directories we created (to empty and remove)
CHILD=
WATCHDOG=
STATE=$(mktemp -d "${TMPDIR:-/tmp}/ipcgrade-guard.XXXXXX") || {
	printf 'guard: SKIPPED: cannot create a temporary directory\n' >&2; exit 77; }

# Every pid in a cgroup directory and all cgroups below it.
cgroup_pids() {
	local f p
	while IFS= read -r -d '' f; do
		while IFS= read -r p; do printf '%s\n' "$p"; done < "$f" 2>/dev/null
	done < <(find "$1" -name cgroup.procs -print0 2>/dev/null)
}

# SIGKILL everything in our cgroups until they are empty (or give up).
kill_guard_cgroups() {
	local d try left p
	for d in "${GUARD_DIRS[@]}"; do
		# cgroup v2 >= 5.14: race-free recursive kill
		[ -e "$d/cgroup.kill" ] && echo 1 > "$d/cgroup.kill" 2>/dev/null
	done
	for try in $(seq 1 100); do
		left=0
		for d in "${GUARD_DIRS[@]}"; do
			[ -d "$d" ] || continue
			for p in $(cgroup_pids "$d"); do
				left=1
				kill -KILL "$p" 2>/dev/null
			done
		done
		[ $left = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

cleanup() {
	local d try ok=1
	[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null && wait "$WATCHDOG" 2>/dev/null
	WATCHDOG=
	if [ ${#GUARD_DIRS[@]} -gt 0 ]; then
		kill_guard_cgroups || printf 'guard: warning: processes survive in %s\n' "${GUARD_DIRS[*]}" >&2
		[ -n "$CHILD" ] && { wait "$CHILD"; } 2>/dev/null
		for d in "${GUARD_DIRS[@]}"; do
			for try in $(seq 1 50); do
				[ -d "$d" ] || break
				# deepest first: COMMAND may have made cgroups below ours
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
				[ -d "$d" ] || break
				kill_guard_cgroups
				sleep 0.1
			done
			if [ -d "$d" ]; then
				printf 'guard: warning: could not remove cgroup %s\n' "$d" >&2
				ok=0
			else
				verbose "removed $d"
			fi
		done
		GUARD_DIRS=()
	fi
	rm -rf "$STATE"
	return $ok
}

skip() {
	printf 'guard: SKIPPED: %s\n' "$*" >&2
	cleanup
	exit 77
}

on_signal() {
	local sig=$1 code=$2
	trap '' INT TERM HUP
	printf 'guard: got SIG%s, killing the guarded command\n' "$sig" >&2
	cleanup
	exit "$code"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# --------------------------------------------------- namespace pre-flight
NS_OPTS=()
if [ "$(id -u)" -ne 0 ]; then
	NS_OPTS=(--user --map-root-user)
fi
command -v unshare >/dev/null 2>&1 || skip "unshare(1) not found (util-linux)"
KILL_CHILD=(--kill-child)
unshare --help 2>&1 | grep -q -- --kill-child || KILL_CHILD=()
if ! err=$(unshare "${NS_OPTS[@]}" --pid --fork --mount-proc true 2>&1); then
	if [ ${#NS_OPTS[@]} -gt 0 ]; then
		skip "not root and cannot create user+PID namespaces (unprivileged user namespaces disabled?): ${err%%$'\n'*}"
	fi
	skip "cannot create a PID namespace with its own /proc: ${err%%$'\n'*}"
fi

# ----------------------------------------------------- cgroup discovery
# /proc/PID/cgroup lines are HIERARCHY-ID:CONTROLLERS:PATH; v2 is 0::PATH.
V2_PATH=
declare -A V1_PATH=()
while IFS=: read -r hid ctrls path; do
	if [ "$hid" = 0 ] && [ -z "$ctrls" ]; then
		V2_PATH=$path
	else
		IFS=, read -r -a list <<< "$ctrls"
		for c in "${list[@]}"; do V1_PATH[$c]=$path; done
	fi
done < "/proc/$$/cgroup"

# Directory of a cgroup path inside a mount: the mount's root (field 4 of
# mountinfo) is a prefix of the path when the mount shows a subtree.
mount_dir() { # ROOT MOUNTPOINT CGPATH
	local root=$1 mnt=$2 cg=$3 rel
	if [ "$root" = / ]; then
		rel=$cg
	else
		case $cg in
		"$root") rel=/ ;;
		"$root"/*) rel=${cg#"$root"} ;;
		*) return 1 ;;
		esac
	fi
	[ "$rel" = / ] && rel=
	printf '%s%s\n' "$mnt" "$rel"
}

V2_DIR=
declare -A V1_DIR=()
while read -r -a f; do
	i=6
	while [ $i -lt ${#f[@]} ] && [ "${f[$i]}" != - ]; do i=$((i + 1)); done
	[ $i -lt ${#f[@]} ] || continue
	fstype=${f[$((i + 1))]}
	super=${f[$((i + 3))]:-}
	root=$(printf '%b' "${f[3]//\\/\\0}")
	mnt=$(printf '%b' "${f[4]//\\/\\0}")
	if [ "$fstype" = cgroup2 ] && [ -z "$V2_DIR" ] && [ -n "$V2_PATH" ]; then
		d=$(mount_dir "$root" "$mnt" "$V2_PATH") && [ -d "$d" ] && V2_DIR=$d
	elif [ "$fstype" = cgroup ]; then
		IFS=, read -r -a opts <<< "$super"
		for c in "${opts[@]}"; do
			case $c in pids | memory) ;; *) continue ;; esac
			[ -n "${V1_DIR[$c]:-}" ] && continue
			[ -n "${V1_PATH[$c]:-}" ] || continue
			d=$(mount_dir "$root" "$mnt" "${V1_PATH[$c]}") && [ -d "$d" ] && V1_DIR[$c]=$d
		done
	fi
done < /proc/self/mountinfo

NAME="ipcgrade-guard.$$.$RANDOM"
declare -A USE=()	# controller -> "v2" | "v1"
for c in pids memory; do
	if [ -n "$V2_DIR" ] && grep -qw "$c" "$V2_DIR/cgroup.controllers" 2>/dev/null; then
		USE[$c]=v2
	elif [ -n "${V1_DIR[$c]:-}" ]; then
		USE[$c]=v1
	else
		skip "no usable cgroup controller '$c': not offered to our cgroup v2 (${V2_DIR:-none}/cgroup.controllers) and no cgroup v1 '$c' hierarchy mounted"
	fi
done

write_limit() { # FILE VALUE
	local got
	{ printf '%s\n' "$2" > "$1"; } 2>/dev/null || skip "cannot write $2 to $1"
	got=$(cat "$1" 2>/dev/null)
	[ "$got" = "$2" ] || skip "wrote $2 to $1 but it reads back '$got'"
}

# cgroup v2: one directory for every controller that lives there.
if [ "${USE[pids]}" = v2 ] || [ "${USE[memory]}" = v2 ]; then
	for c in pids memory; do
		[ "${USE[$c]}" = v2 ] || continue
		if ! grep -qw "$c" "$V2_DIR/cgroup.subtree_control" 2>/dev/null; then
			# needed so our child cgroup gets $c's files; fails with EBUSY
			# when our cgroup has member processes and is not the root
			{ echo "+$c" > "$V2_DIR/cgroup.subtree_control"; } 2>/dev/null ||
				skip "cannot enable cgroup v2 controller '$c' in $V2_DIR/cgroup.subtree_control (not delegated to us, or our cgroup has member processes: start the guard from a cgroup whose subtree_control already has '$c')"
		fi
	done
	[ -w "$V2_DIR" ] || skip "cgroup v2 directory $V2_DIR is not writable"
	mkdir "$V2_DIR/$NAME" 2>/dev/null || skip "cannot create cgroup $V2_DIR/$NAME"
	GUARD_DIRS+=("$V2_DIR/$NAME")
	[ "${USE[pids]}" = v2 ] && write_limit "$V2_DIR/$NAME/pids.max" "$PIDS"
	if [ "${USE[memory]}" = v2 ]; then
		write_limit "$V2_DIR/$NAME/memory.max" "$MEM_BYTES"
		[ -e "$V2_DIR/$NAME/memory.swap.max" ] && echo 0 > "$V2_DIR/$NAME/memory.swap.max" 2>/dev/null
	fi
	verbose "cgroup v2 $V2_DIR/$NAME"
fi
# cgroup v1: one directory per hierarchy.
if [ "${USE[pids]}" = v1 ]; then
	d=${V1_DIR[pids]}/$NAME
	[ -w "${V1_DIR[pids]}" ] || skip "cgroup v1 pids directory ${V1_DIR[pids]} is not writable"
	mkdir "$d" 2>/dev/null || skip "cannot create cgroup $d"
	GUARD_DIRS+=("$d")
	write_limit "$d/pids.max" "$PIDS"
	verbose "cgroup v1 $d pids.max=$PIDS"
fi
if [ "${USE[memory]}" = v1 ]; then
	d=${V1_DIR[memory]}/$NAME
	[ -w "${V1_DIR[memory]}" ] || skip "cgroup v1 memory directory ${V1_DIR[memory]} is not writable"
	mkdir "$d" 2>/dev/null || skip "cannot create cgroup $d"
	GUARD_DIRS+=("$d")
	write_limit "$d/memory.limit_in_bytes" "$MEM_BYTES"
	# memory+swap; absent or refused when swap accounting is off
	[ -e "$d/memory.memsw.limit_in_bytes" ] && echo "$MEM_BYTES" > "$d/memory.memsw.limit_in_bytes" 2>/dev/null
	verbose "cgroup v1 $d memory.limit_in_bytes=$MEM_BYTES"
fi

# ------------------------------------------------------------------- run
INIT=()
if command -v perl >/dev/null 2>&1; then
	# PID 1 of the new namespace: run COMMAND as PID 2, forward the usual
	# termination signals to it, reap orphans, exit with its status.
	INIT=(perl -e 'use POSIX (); my $pid = fork; defined $pid or die "guard-init: fork: $!\n";
if ($pid == 0) { exec { $ARGV[0] } @ARGV; print STDERR "guard: cannot run $ARGV[0]: $!\n"; POSIX::_exit(127) }
$SIG{$_} = sub { kill $_[0], $pid } for qw(TERM INT HUP QUIT USR1 USR2);
while (1) { my $w = waitpid(-1, 0); POSIX::_exit(127) if $w < 0; next if $w != $pid;
  POSIX::_exit(($? & 127) ? 128 + ($? & 127) : $? >> 8) }' --)
fi

exec 3<&0	# an asynchronous list would get /dev/null as stdin
(
	trap - INT TERM HUP QUIT
	exec 0<&3 3<&-
	for d in "${GUARD_DIRS[@]}"; do
		if ! { echo "$BASHPID" > "$d/cgroup.procs"; } 2>/dev/null; then
			echo "cannot move the command into $d/cgroup.procs" > "$STATE/skip"
			exit 77
		fi
	done
	exec unshare "${NS_OPTS[@]}" --pid --fork --mount-proc "${KILL_CHILD[@]}" -- "${INIT[@]}" "$@"
) &
CHILD=$!
exec 3<&-

if [ "$TIMEOUT" -gt 0 ]; then
	(
		# killed by cleanup(): take the sleep along, leave nothing behind
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		trap - INT HUP
		sleep "$TIMEOUT" &
		sp=$!
		wait "$sp"
		: > "$STATE/timedout"
		kill_guard_cgroups
	) &
	WATCHDOG=$!
fi

# wait returns early (>128) when one of our traps ran; those exit, so
# looping until the child is really gone is only for robustness.
while :; do
	{ wait "$CHILD"; } 2>/dev/null	# no "Killed" job notices
	status=$?
	kill -0 "$CHILD" 2>/dev/null || break
done
CHILD=

if [ -s "$STATE/skip" ]; then
	skip "$(cat "$STATE/skip")"
fi
if [ -e "$STATE/timedout" ]; then
	printf 'guard: timed out after %s s, killed everything in the guard cgroup\n' "$TIMEOUT" >&2
	status=124
fi
cleanup || true
exit "$status"
