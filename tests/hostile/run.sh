#!/usr/bin/env bash
# tests/hostile/run.sh - run the hostile corpus through the sandbox.
#
#   IPCGRADE=build/ipcgrade HOSTILE=build/hostile tests/hostile/run.sh [NAME...]
#   (or `make hostile`, which sets both)
#
# Every program tests/hostile/NAME.c (built by the Makefile into
# $HOSTILE/NAME) runs as `ipcgrade run --json --isolation MODE FLAGS --
# $HOSTILE/NAME [ARGS]` in every mode its header names (tests/hostile/
# README.md describes the header, the checks and the canary), `repeat:`
# times; then every build-step attack tests/hostile/build/NAME/ is graded
# with `ipcgrade check --spec` (tests/hostile/build/spec.yaml) in both modes.
# NAMEs limit the run to those programs / build attacks.
#
# The whole corpus runs under tests/guard.sh --pids 2048 --memory-mb 4096
# (this script re-executes itself there; a guard that cannot protect, exit
# 77, makes the run SKIPPED, exit 0). Nothing hostile ever runs outside it:
# the guarded half refuses to start unless it sees the guard's PID
# namespace and cgroups.
#
# Output: one line per program and mode, PASS / FAIL / SKIPPED, the
# details of every failure, what the host looks like compared with before,
# and a summary. Exit status: 0 when nothing failed (SKIPPED is not a
# failure but is always printed), 1 otherwise, 2 on a usage or setup error.
#
# Environment: IPCGRADE, HOSTILE (default build/ipcgrade, build/hostile of
# this checkout), HOSTILE_RESULTS (a file to append tab-separated "NAME MODE
# RESULT VERDICT EXPECTED MS" lines to), HOSTILE_KEEP=1 (keep the work
# directory, with every run's output in $W/r and $W/b), HOSTILE_SANITIZED=1
# (ipcgrade is built with sanitizers: the leak checker's own short-lived
# ptrace of the grader at exit is not an attack), HOSTILE_STRICT=1
# (any change to the host fails, not only what can be traced to the corpus:
# for a machine nobody else uses while it runs).
#
# The host checks on a shared machine: other users create and delete files
# in /tmp, /dev/shm and SysV IPC all the time. A change fails a run only
# when it is the run's doing -- a name of the corpus's (ipcgrade-hostile*),
# a SysV segment or queue whose creator or last sender is a process of the
# guard's PID namespace, or an entry of a box uid the run used, made while
# it ran; processes are counted inside the guard's PID namespace, where
# nothing else runs. Everything else is printed as a note. After a failed
# run the runner kills what the run left and removes what it attributes to
# it (nothing else) so that the next program starts clean.
#
# What the runner plants (tests/hostile/README.md, "The canary"): the
# grader is started with IPCGRADE_TEST_CANARY in its environment, with
# TMPDIR=$W/runs (so a run's work directory is $W/runs/ipcgrade-run-X/box),
# with CANARY files in $W/runs and in $W next to a copy of the spec, and
# with descriptor 9 open on $W/CANARY (a descriptor a careless grader
# leaks into the box). $W is a 0755 directory in /tmp, like a grader's
# default TMPDIR; the text must never appear in anything a run prints.

set -u
umask 022
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CANARY_TEXT=CANARY-SECRET-
CANARY_TEXT=${CANARY_TEXT}7f3a	# (split so this file never contains it whole)
GUARD_PIDS=2048
GUARD_MEM=4096
GUARD_TIMEOUT=1800		# seconds, a backstop for the whole corpus

say() { printf '%s\n' "$*"; }
err() { printf 'run.sh: %s\n' "$*" >&2; }

# ======================================================================
# outer half: not guarded; prepares, starts the guard, compares the host
# ======================================================================
outer() {
	local ipcgrade=${IPCGRADE:-$ROOT/build/ipcgrade}
	local hostile=${HOSTILE:-$ROOT/build/hostile}
	local name missing=() stale=()

	[ -x "$ipcgrade" ] || { err "no grader at $ipcgrade (run make)"; exit 2; }
	ipcgrade=$(cd "$(dirname "$ipcgrade")" && pwd)/$(basename "$ipcgrade")
	[ -d "$hostile" ] || { err "no hostile programs in $hostile (run make hostile)"; exit 2; }
	hostile=$(cd "$hostile" && pwd)
	for src in "$HERE"/*.c; do
		name=$(basename "$src" .c)
		if [ ! -x "$hostile/$name" ]; then missing+=("$name")
		elif [ "$src" -nt "$hostile/$name" ]; then stale+=("$name"); fi
	done
	if [ ${#missing[@]} -gt 0 ] || [ ${#stale[@]} -gt 0 ]; then
		err "hostile programs missing or older than their source in $hostile: ${missing[*]} ${stale[*]} (run make hostile)"
		exit 2
	fi
	command -v gcc >/dev/null || { err "gcc not found"; exit 2; }

	# The work directory: in /tmp, private (0711) like the folders ipcgrade itself makes there.
	W=$(mktemp -d /tmp/ipcgrade-hostile-runner.XXXXXX) || { err "mktemp failed"; exit 2; }
	chmod 0711 "$W"
	trap '[ "${HOSTILE_KEEP:-0}" = 1 ] || rm -rf "$W"' EXIT
	mkdir -p "$W/bin"
	if ! gcc -std=gnu11 -O2 -Wall -Wextra -o "$W/bin/helper" "$HERE/runner/helper.c" \
		-ljansson -lrt 2> "$W/helper.log"; then
		cat "$W/helper.log" >&2
		err "cannot build the runner's helper (needs gcc and libjansson-dev)"
		exit 2
	fi
	HELPER=$W/bin/helper
	if ! gcc -std=gnu11 -O2 -Wall -Wextra -o "$W/bin/fixture_header" "$ROOT/tests/fixture_header.c" \
		2> "$W/helper.log"; then
		cat "$W/helper.log" >&2
		err "cannot build tests/fixture_header.c"
		exit 2
	fi
	# a private copy: the grader under test cannot change (be rebuilt by
	# someone else) in the middle of the corpus
	cp "$ipcgrade" "$W/bin/ipcgrade" || { err "cannot copy $ipcgrade"; exit 2; }
	say "grader: $ipcgrade ($(sha256sum < "$ipcgrade" | cut -c1-16), built $(date -r "$ipcgrade" '+%F %T'))"
	ipcgrade=$W/bin/ipcgrade

	local t0 rc pidns
	t0=$(date +%s)
	touch "$W/stamp"
	"$HELPER" hostprocs > "$W/host-procs.before"
	"$HELPER" snapshot 0 "$(basename "$W")" "$HOME" | grep -v '^proc ' > "$W/host-state.before"
	pidns=$(readlink /proc/self/ns/pid)

	: > "$W/guard.err"
	# stdout straight through, stderr through tee (to find the SKIPPED line)
	{
		HOSTILE_STAGE=inner HOSTILE_W=$W HOSTILE_OUTER_PIDNS=$pidns IPCGRADE=$ipcgrade HOSTILE=$hostile \
			"$ROOT/tests/guard.sh" --pids $GUARD_PIDS --memory-mb $GUARD_MEM --timeout $GUARD_TIMEOUT \
			-- bash "$HERE/run.sh" "$@" 2>&1 1>&3 3>&- | tee -a "$W/guard.err" >&2
		rc=${PIPESTATUS[0]}
	} 3>&1
	if [ "$rc" = 77 ] && grep -q '^guard: SKIPPED:' "$W/guard.err"; then
		say "SKIPPED (the outer guard cannot protect this machine): $(sed -n 's/^guard: SKIPPED: //p' "$W/guard.err" | head -1)"
		say "the hostile corpus was NOT run"
		exit 0
	fi

	# ---- after the guard: the host, compared with before the corpus
	local fail=0
	"$HELPER" hostprocs > "$W/host-procs.after"
	"$HELPER" snapshot 0 "$(basename "$W")" "$HOME" | grep -v '^proc ' > "$W/host-state.after"
	say ""
	say "host after the corpus (outside the guard), compared with before it:"
	# processes: new ones still alive (pid + start time), not kernel threads
	local names_re
	names_re=$(cd "$HERE" && printf '%s\n' ./*.c | sed 's|^\./||; s/\.c$//' | cut -c1-15 | paste -sd'|')
	local newp
	newp=$(awk 'NR==FNR { seen[$1" "$2] = 1; next } !(($1" "$2) in seen)' \
		"$W/host-procs.before" "$W/host-procs.after")
	if [ -n "$newp" ]; then
		local ours others
		# a corpus program under a grader that is still running is another
		# runner's (every grader of ours ended with the guard; what ours
		# leave has lost its grader): the host's processes, then the new
		local live_run
		live_run=$(printf '%s\n' "$newp" | awk '
			NR == FNR { parent[$1] = $4; comm[$1] = $5; next }
			{ other = 0
			  for (p = $4; p > 1 && (p in comm) && n++ < 64; p = parent[p])
				if (comm[p] == "ipcgrade") { other = 1; break }
			  n = 0; print (other ? "other " : "self ") $0 }' "$W/host-procs.after" -)
		ours=$(printf '%s\n' "$live_run" | awk -v re="^($names_re)\$" '$1 == "self" && $6 ~ re' | cut -d' ' -f2-)
		others=$(printf '%s\n' "$live_run" | awk -v re="^($names_re)\$" '$1 == "other" || $6 !~ re' | cut -d' ' -f2-)
		if [ -n "$ours" ]; then
			fail=1
			say "  FAIL new processes named like corpus programs (pid start uid ppid comm):"
			printf '%s\n' "$ours" | sed 's/^/    /'
		fi
		if [ -n "$others" ] && [ "${HOSTILE_STRICT:-0}" = 1 ]; then
			fail=1
			say "  FAIL new processes (HOSTILE_STRICT=1) (pid start uid ppid comm):"
			printf '%s\n' "$others" | head -20 | sed 's/^/    /'
		elif [ -n "$others" ]; then
			say "  note: $(printf '%s\n' "$others" | wc -l) new processes not from the corpus, or under a grader still running (other users of this machine?):"
			printf '%s\n' "$others" | head -20 | sed 's/^/    /'
		fi
	fi
	host_state_diff "$W/host-state.before" "$W/host-state.after" || fail=1
	# deeper in $HOME (3 levels: ~/.ssh/authorized_keys, ~/.config/x/y):
	# files written since the corpus started by a box uid or with a corpus name
	local deep
	deep=$(find "$HOME" -xdev -maxdepth 3 -newer "$W/stamp" \( -uid +59999 -o -name '*ipcgrade-hostile*' \) \
		-printf '%p (uid %U)\n' 2>/dev/null | head -20)
	if [ -n "$deep" ]; then
		fail=1
		say "  FAIL files in \$HOME written by a box uid or named like the corpus's:"
		printf '%s\n' "$deep" | sed 's/^/    /'
	fi
	[ -s "$W/inner.done" ] || {
		fail=1
		say "  FAIL the guarded run did not finish (exit status $rc; last started: $(cat "$W/current" 2>/dev/null || echo nothing))"
	}
	[ "$rc" = 0 ] || fail=1
	say "total time: $(( $(date +%s) - t0 )) s"
	if [ $fail = 0 ]; then say "hostile corpus: PASS"; exit 0; fi
	say "hostile corpus: FAIL"
	exit 1
}

# new_items BEFORE AFTER: the snapshot lines of AFTER whose first three
# fields (kind, name/pid, uid/start) are not in BEFORE.
new_items() { awk 'NR==FNR { seen[$1" "$2" "$3] = 1; next } !(($1" "$2" "$3) in seen)' "$1" "$2"; }

# attributable KIND NAME UID EXTRA CTIME UIDS T0 T1: is this new item the
# corpus's doing? Yes when its name is one of the corpus's
# (ipcgrade-hostile*); when it is a SysV segment or queue whose creator or
# last sender is in our PID namespace (/proc/sysvipc shows pids outside it
# as 0; inner half only); or when it belongs to a box uid the run used
# (UIDS, never root or us) and was made between T0 and T1. Everything else
# on this shared machine may be someone else's: it is only noted, and never
# touched.
attributable() {
	local kind=$1 name=$2 uid=$3 extra=${4:-0} ctime=${5:-0} uids=$6 t0=${7:-0} t1=${8:-0} u
	# another runner's work directory (ours is left out of snapshots):
	# someone else's corpus run on this machine, never to be removed
	[ "$kind" = tmp ] && case $name in ipcgrade-hostile-runner.??????) return 1 ;; esac
	case $name in *ipcgrade-hostile*) return 0 ;; esac
	if [ "$STAGE" = inner ]; then
		case $kind in sysv-shm | sysv-msg) [ "$extra" != 0 ] && return 0 ;; esac
	fi
	[ "$uid" = 0 ] || [ "$uid" = "$EUID" ] && return 1
	for u in $uids; do
		if [ "$uid" = "$u" ] && [ "$ctime" -ge $((t0 - 1)) ] && [ "$ctime" -le $((t1 + 1)) ]; then
			return 0
		fi
	done
	return 1
}

# host_state_diff BEFORE AFTER: the whole-corpus comparison (no uids: only
# corpus names and, inside the guard, SysV creators count). Prints the
# differences; returns 1 when one is attributable to the corpus.
host_state_diff() {
	local line kind name uid extra ctime bad=0 n=0
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		read -r kind name uid extra ctime <<< "$line"
		[ "$kind" = proc ] && continue
		if attributable "$kind" "$name" "$uid" "$extra" "$ctime" "" 0 0; then
			say "  FAIL new $kind entry from the corpus: $name (uid $uid)"
			bad=1
		elif [ "${HOSTILE_STRICT:-0}" = 1 ]; then
			say "  FAIL new $kind entry (HOSTILE_STRICT=1): $name (uid $uid)"
			bad=1
		else
			n=$((n + 1))
			[ $n -le 10 ] && say "  note: new $kind entry, not attributable to the corpus: $name (uid $uid)"
		fi
	done < <(new_items "$1" "$2")
	[ $n -gt 10 ] && say "  note: ... and $((n - 10)) more not attributable to the corpus"
	[ $bad = 0 ] && [ $n = 0 ] && say "  unchanged"
	return $bad
}

# ======================================================================
# inner half: under the guard
# ======================================================================

# The interlock: refuse to run anything hostile unless this process is in
# the guard's PID namespace and cgroups.
assert_guarded() {
	local ns line ok_pids=0 ok_mem=0
	ns=$(readlink /proc/self/ns/pid)
	if [ -z "${HOSTILE_OUTER_PIDNS:-}" ] || [ "$ns" = "$HOSTILE_OUTER_PIDNS" ]; then
		say "FAIL refusing to run: not in the guard's PID namespace"; exit 1
	fi
	while IFS= read -r line; do
		case $line in
		*pids*:*/ipcgrade-guard.*) ok_pids=1 ;;
		0::*/ipcgrade-guard.*) ok_pids=1; ok_mem=1 ;;
		esac
		case $line in *memory*:*/ipcgrade-guard.*) ok_mem=1 ;; esac
	done < /proc/self/cgroup
	if [ $ok_pids = 0 ] || [ $ok_mem = 0 ]; then
		say "FAIL refusing to run: not in the guard's cgroups ($(tr '\n' ' ' < /proc/self/cgroup))"; exit 1
	fi
}

# header FILE: sets H_EXPECT H_FLAGS H_MODES H_REPEAT H_SETTLE H_CHECKS[],
# or H_ERR when the header does not parse. The parsing is the C tests'
# (tests/fixture_header.h, through tests/fixture_header.c); only the keys
# are here.
header() {
	local out key val
	H_EXPECT="" H_FLAGS="" H_MODES="full reduced" H_REPEAT=1 H_SETTLE=0 H_CHECKS=() H_ERR=""
	if ! out=$("$W/bin/fixture_header" "$1" 2>&1); then
		H_ERR=$out
		return 0
	fi
	while read -r _ key val; do
		case $key in
		expect) H_EXPECT=$val ;;
		flags) H_FLAGS=$val ;;
		modes) H_MODES=$val ;;
		repeat) H_REPEAT=$val ;;
		settle) H_SETTLE=$val ;;
		check) H_CHECKS+=("$val") ;;
		esac
	done <<< "$out"
}

flag_value() { # VAR FLAGS NAME DEFAULT: sets VAR (no subshell: this runs 300 times)
	local f
	for f in $2; do case $f in --$3=*) printf -v "$1" '%s' "${f#*=}"; return ;; esac; done
	printf -v "$1" '%s' "$4"
}

# readfile VAR FILE: the first line of FILE into VAR, without a fork
readfile() { printf -v "$1" ''; IFS= read -r "$1" < "$2" 2>/dev/null; return 0; }

now() { printf -v "$1" '%(%s)T' -1; }

# shellcheck disable=SC2016  # a literal $HOME in a header
expand_home() { case $1 in '$HOME'*) printf '%s%s\n' "$HOME" "${1#\$HOME}" ;; *) printf '%s\n' "$1" ;; esac; }

# Delete PATH if it is one of the corpus's own names (never anything else).
remove_hostile_path() {
	case $(basename "$1") in
	ipcgrade-hostile*) rm -rf -- "$1" 2>/dev/null ;;
	*) say "  warning: not removing $1 (not an ipcgrade-hostile name)" ;;
	esac
}

snapshot() { "$HELPER" snapshot $$ "${W##*/}" "$HOME"; }

# host_checks RUNDIR UIDS T0 LABEL: the implied host-unchanged check of one
# run: RUNDIR/after against RUNDIR/before. Appends failures to HOST_WHY,
# unattributable changes to NOTES.
host_checks() {
	local rd=$1 uids=$2 t0=$3 label=$4 t1 line kind nm uid extra ctime
	HOST_WHY=()
	t1=$AFTER_T
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		read -r kind nm uid extra ctime <<< "$line"
		if [ "$kind" = proc ]; then
			HOST_WHY+=("host-unchanged: process left behind: pid $nm uid $extra ${ctime:-}")
		elif attributable "$kind" "$nm" "$uid" "$extra" "$ctime" "$uids" "$t0" "$t1"; then
			HOST_WHY+=("host-unchanged: new $kind entry: $nm (uid $uid)")
		elif [ "${HOSTILE_STRICT:-0}" = 1 ]; then
			HOST_WHY+=("host-unchanged: new $kind entry (HOSTILE_STRICT=1): $nm (uid $uid)")
		else
			NOTES+=("$label: new $kind entry not attributable to this run: $nm (uid $uid)")
		fi
	done < <(new_items "$rd/before" "$rd/after")
	# the grader removes its own run directory
	local left=() f
	for f in "$W"/runs/* "$W"/runs/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		[ "$f" = "$W/runs/CANARY" ] || left+=("${f##*/}")
	done
	if [ ${#left[@]} -gt 0 ]; then
		HOST_WHY+=("ipcgrade left its temporary directory behind: ${left[*]}")
		rm -rf "${left[@]/#/$W/runs/}" 2>/dev/null
	fi
}

# Undo what a failed run left -- only what is attributable to it, never
# anything else on this shared machine -- so the next program starts from a
# clean host; say what was done.
cleanup_after() { # RUNDIR UIDS T0
	local rd=$1 uids=$2 t0=$3 n line kind name uid extra ctime t1 removed=0
	n=$("$HELPER" kill-strays $$)
	[ "$n" != 0 ] && say "    cleanup: SIGKILLed $n leftover processes"
	now t1
	while IFS= read -r line; do
		read -r kind name uid extra ctime <<< "$line"
		attributable "$kind" "$name" "$uid" "$extra" "$ctime" "$uids" "$t0" "$t1" || continue
		case $kind in
		sysv-shm) ipcrm -m "$name" 2>/dev/null ;;
		sysv-sem) ipcrm -s "$name" 2>/dev/null ;;
		sysv-msg) ipcrm -q "$name" 2>/dev/null ;;
		shm) rm -rf -- "/dev/shm/$name" ;;
		mq) "$HELPER" mq-unlink "$name" ;;
		tmp) rm -rf -- "/tmp/$name" ;;
		home) rm -rf -- "${HOME:?}/$name" ;;
		*) continue ;;
		esac
		removed=$((removed + 1))
		[ $removed -le 5 ] && say "    cleanup: removed $kind $name (uid $uid)"
	done < <(snapshot | new_items "$rd/before" -)
	[ $removed -gt 5 ] && say "    cleanup: removed $removed items in all"
	return 0
}

# read_super FILE: S_STATUS and S_UIDS from helper supervise's report
read_super() {
	local k v
	S_STATUS="" S_UIDS=""
	while read -r k v; do
		case $k in
		status) S_STATUS=$v ;;
		uid) S_UIDS="${S_UIDS:+$S_UIDS }$v" ;;
		esac
	done < "$1"
}

# run_once NAME MODE ITER: one `ipcgrade run`; sets R_VERDICT and appends
# failure reasons to R_WHY (empty when everything held); R_SKIP=1 when the
# run could not be what it tests here (a reduced box refused mq_open, and
# nothing else, on a machine where reduced isolation has no queues).
run_once() {
	local name=$1 mode=$2 iter=$3
	local rd=$W/r/$name.$mode.$iter
	local args=() lpid="" c p wall outer status uids="" line
	R_VERDICT="?" R_WHY=() R_SKIP=0
	[ -e "$rd" ] && rm -rf "$rd"
	mkdir "$rd"
	for c in "${H_CHECKS[@]}"; do
		case $c in host-file-absent\ *) remove_hostile_path "$(expand_home "${c#host-file-absent }")" ;; esac
	done
	snapshot > "$rd/before"
	for c in "${H_CHECKS[@]}"; do
		if [ "$c" = tcp-listener ]; then
			"$HELPER" listen "$rd/port" "$rd/connections" &
			lpid=$!
			for _ in $(seq 100); do [ -s "$rd/port" ] && break; sleep 0.02; done
			[ -s "$rd/port" ] || { R_WHY+=("the runner's TCP listener did not start"); kill "$lpid"; return; }
			readfile p "$rd/port"; args=("$p")
		fi
	done
	flag_value wall "$H_FLAGS" timeout 5000
	# the wall limit stretches up to 3x for time spent waiting for a CPU
	outer=$((3 * wall + 15000))
	say "$name $mode run $iter" > "$W/current"
	local t0
	now t0
	# shellcheck disable=SC2086  # FLAGS are words
	env IPCGRADE_TEST_CANARY="$CANARY_TEXT" TMPDIR="$W/runs" \
		"$HELPER" supervise "$rd" "$outer" "$W/CANARY" -- \
		"$IPCGRADE" run --json --isolation "$mode" $H_FLAGS -- "$HOSTILE/$name" "${args[@]}"
	[ "$H_SETTLE" -gt 0 ] && sleep "$(awk -v ms="$H_SETTLE" 'BEGIN { printf "%.3f", ms / 1000 }')"
	if [ -n "$lpid" ]; then kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; fi
	snapshot > "$rd/after"
	now AFTER_T

	read_super "$rd/super"
	status=$S_STATUS uids=$S_UIDS
	# ---- the grader: came back, exit 0, not stopped, not traced
	case $status in
	"exited 0") ;;
	hung) R_WHY+=("grader-alive: ipcgrade did not come back within ${outer} ms (killed): $(grep '^hung-state' "$rd/super" | cut -d' ' -f2- | paste -sd';' | cut -c1-300)") ;;
	"signaled "*) R_WHY+=("grader-alive: ipcgrade was killed by signal ${status#signaled }") ;;
	*) R_WHY+=("ipcgrade exited with status ${status#exited } ($(head -c 300 "$rd/err" | tr '\n' ' '))") ;;
	esac
	while IFS= read -r line; do
		case $line in
		stopped\ *) R_WHY+=("grader-alive: grader process stopped: ${line#stopped } ms") ;;
		traced\ *) R_WHY+=("grader-alive: grader process traced (pid comm tracer): ${line#traced }") ;;
		esac
	done < "$rd/super"
	# ---- the verdict
	if "$HELPER" json "$rd/out" "$rd" 2> "$rd/json.err"; then
		readfile R_VERDICT "$rd/verdict"
		local denied=""
		readfile denied "$rd/denied"
		if [ "$mode" = reduced ] && [ "$MQ_OK" = 0 ] && [ "$R_VERDICT" = forbidden_syscall ] &&
			[[ $denied =~ ^\{\"mq_open\(reduced\ isolation\ without\ /dev/mqueue\)\":\ ?[0-9]+\}$ ]]; then
			R_SKIP=1	# the verdict says nothing here; the host checks still hold
		fi
		case "|$H_EXPECT|" in
		*"|$R_VERDICT|"*) ;;
		*) [ "$R_SKIP" = 1 ] || R_WHY+=("verdict $R_VERDICT, expected $H_EXPECT") ;;
		esac
		local iso="" want got="" l1 l2 l3 l4 l5
		readfile iso "$rd/isolation"
		[ "$iso" = "$mode" ] || R_WHY+=("isolation is '$iso', asked for $mode")
		flag_value l1 "$H_FLAGS" timeout 5000; flag_value l2 "$H_FLAGS" cpu-ms 5000
		flag_value l3 "$H_FLAGS" memory-mb 256; flag_value l4 "$H_FLAGS" processes 64
		flag_value l5 "$H_FLAGS" output-kb 1024
		want="$l1 $l2 $l3 $l4 $l5"
		readfile got "$rd/limits"
		[ "$want" = "$got" ] || R_WHY+=("limits applied ($got) are not the ones asked for ($want)")
		if grep -aq '^HOSTILE-ESCAPED' "$rd/stdout"; then
			R_WHY+=("stdout-lacks HOSTILE-ESCAPED: $(grep -a '^HOSTILE-ESCAPED' "$rd/stdout" | head -3 | cut -c1-200 | paste -sd'|')")
		fi
	else
		R_VERDICT="(no JSON)"
		R_WHY+=("grader-alive: no verdict reported ($(head -c 200 "$rd/json.err" | tr '\n' ' '))")
	fi
	# the canary text appears in no program: anywhere in the output is a leak
	if grep -aqF "$CANARY_TEXT" "$rd/out" "$rd/err"; then
		R_WHY+=("canary: $CANARY_TEXT appears in the grader's output")
	fi
	# ---- the header's checks
	for c in "${H_CHECKS[@]}"; do
		case $c in
		host-file-absent\ *)
			p=$(expand_home "${c#host-file-absent }")
			if [ -e "$p" ] || [ -L "$p" ]; then
				R_WHY+=("host-file-absent: $p exists ($(stat -c '%U:%G %s bytes' "$p" 2>/dev/null))")
				remove_hostile_path "$p"
			fi ;;
		stdout-lacks\ *)
			local text=${c#stdout-lacks }
			[ -f "$rd/stdout" ] && grep -aqF -- "$text" "$rd/stdout" && R_WHY+=("stdout-lacks: stdout contains '$text'") ;;
		tcp-listener)
			[ -s "$rd/connections" ] && R_WHY+=("tcp-listener: the runner's listener got $(wc -l < "$rd/connections") connection(s): $(head -1 "$rd/connections" | cut -c1-100)") ;;
		grader-alive | host-unchanged) ;;	# always checked
		*) R_WHY+=("unknown check '$c' in the header") ;;
		esac
	done
	# ---- host-unchanged (implied)
	host_checks "$rd" "$uids" "$t0" "$name ($mode)"
	R_WHY+=("${HOST_WHY[@]}")
	if [ ${#R_WHY[@]} -gt 0 ]; then
		{
			say "    summary: $(cat "$rd/summary" 2>/dev/null)"
			[ -s "$rd/detail" ] && say "    detail: $(head -c 300 "$rd/detail" | tr '\n' ' ')"
			[ -s "$rd/stdout" ] && say "    stdout: $(head -c 400 "$rd/stdout" | tr '\n' '|')"
			[ -s "$rd/stderr" ] && say "    stderr: $(head -c 400 "$rd/stderr" | tr '\n' '|')"
		} > "$rd/explain"
		cleanup_after "$rd" "$uids" "$t0" >> "$rd/explain"
	fi
}

# print_why REASON...: one line each, but at most 6 of the same kind
# (the text before the first colon), then a count.
print_why() {
	local w k
	declare -A seen=()
	for w in "$@"; do
		k=${w%%:*}
		seen[$k]=$(( ${seen[$k]:-0} + 1 ))
		[ "${seen[$k]}" -le 6 ] && say "    - $w"
		[ "${seen[$k]}" = 7 ] && say "    - $k: ... (more below)"
	done
	for k in "${!seen[@]}"; do
		[ "${seen[$k]}" -gt 6 ] && say "    - $k: ${seen[$k]} in all"
	done
	return 0
}

record() { # NAME MODE RESULT VERDICT EXPECTED [MS]
	local IFS=$'\t'
	[ -n "${HOSTILE_RESULTS:-}" ] && printf '%s\n' "$*" >> "$HOSTILE_RESULTS"
	return 0
}

run_program() { # NAME
	local name=$1 mode iter verdicts
	header "$HERE/$name.c"
	if [ -n "$H_ERR" ]; then
		say "FAIL $name: $H_ERR"; FAILS=$((FAILS + 1)); return
	fi
	if [ -z "$H_EXPECT" ]; then
		say "FAIL $name: no expect: line in its header"; FAILS=$((FAILS + 1)); return
	fi
	for mode in $H_MODES; do
		if [ "$mode" = full ] && [ $FULL_OK = 0 ]; then
			say "SKIPPED $name (full isolation): $FULL_WHY"
			SKIPS=$((SKIPS + 1)); record "$name" "$mode" SKIPPED - "$H_EXPECT"
			continue
		fi
		verdicts=""
		local ms0 ms
		ms0=${EPOCHREALTIME/./}
		for ((iter = 1; iter <= H_REPEAT; iter++)); do
			run_once "$name" "$mode" "$iter"
			[ "$R_SKIP" = 1 ] && [ ${#R_WHY[@]} -eq 0 ] && break
			case " $verdicts " in *" $R_VERDICT "*) ;; *) verdicts="${verdicts:+$verdicts }$R_VERDICT" ;; esac
			[ ${#R_WHY[@]} -gt 0 ] && break
		done
		if [ "$R_SKIP" = 1 ] && [ ${#R_WHY[@]} -eq 0 ]; then
			say "SKIPPED $name ($mode): mq_open is refused in reduced isolation here: $MQ_WHY"
			SKIPS=$((SKIPS + 1)); record "$name" "$mode" SKIPPED - "$H_EXPECT"
			continue
		fi
		ms=$(( (${EPOCHREALTIME/./} - ms0) / 1000 ))
		local rep=""
		[ "$H_REPEAT" -gt 1 ] && rep=" (runs: $((iter > H_REPEAT ? H_REPEAT : iter))/$H_REPEAT)"
		if [ ${#R_WHY[@]} -eq 0 ]; then
			say "PASS $name ($mode): ${verdicts// /,}$rep"
			PASSES=$((PASSES + 1)); record "$name" "$mode" PASS "$verdicts" "$H_EXPECT" "$ms"
		else
			local first=${R_WHY[0]} what
			case "|$H_EXPECT|" in
			*"|$R_VERDICT|"*) what="$R_VERDICT (expected $H_EXPECT) but ${first}" ;;
			*) what="got $R_VERDICT, expected $H_EXPECT" ;;
			esac
			[ "$H_REPEAT" -gt 1 ] && what="$what [run $iter of $H_REPEAT]"
			say "FAIL $name ($mode): $what"
			print_why "${R_WHY[@]}"
			cat "$W/r/$name.$mode.$iter/explain" 2>/dev/null
			FAILS=$((FAILS + 1)); record "$name" "$mode" FAIL "$R_VERDICT" "$H_EXPECT" "$ms"
		fi
	done
}

# ---- build-step attacks ------------------------------------------------

# expected_field NAME KEY: the value of KEY in build/EXPECTED's NAME entry
expected_field() {
	awk -v want="$1" -v key="$2" '
	/^[A-Za-z0-9_.-]+:[ \t]*$/ { cur = $0; sub(/:.*/, "", cur); next }
	cur == want && $0 ~ "^[ \t]+" key ":" {
		v = $0; sub("^[ \t]+" key ":[ \t]*", "", v)
		# a quoted scalar: strip the quotes (then any comment after it)
		if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*$/, "", v) }
		else if (v ~ /^'\''/) { sub(/^'\''/, "", v); sub(/'\''.*$/, "", v) }
		else if (v ~ /^\[/) { sub(/^\[/, "", v); sub(/\].*$/, "", v); gsub(/'\''|"/, "", v); gsub(/,[ \t]*/, "\n", v) }
		else { sub(/[ \t]+#.*$/, "", v) }
		print v; exit
	}' "$HERE/build/EXPECTED"
}

run_build_attack() { # NAME MODE
	local name=$1 mode=$2
	local rd=$W/b/$name.$mode sub msg lacks p status why=() out
	local -a absent=()
	rm -rf "$rd"; mkdir -p "$rd"
	msg=$(expected_field "$name" message)
	lacks=$(expected_field "$name" lacks)
	mapfile -t absent < <(expected_field "$name" host_file_absent)
	if [ -z "$msg" ]; then
		say "FAIL build/$name ($mode): no entry with a message in build/EXPECTED"
		FAILS=$((FAILS + 1)); record "build/$name" "$mode" FAIL - -; return
	fi
	# the submission, copied as it is (symlinks stay symlinks)
	sub=$W/sub/$name
	rm -rf "$sub"; mkdir -p "$W/sub"; cp -a "$HERE/build/$name" "$sub"
	for p in "${absent[@]}"; do [ -n "$p" ] && remove_hostile_path "$(expand_home "$p")"; done
	snapshot > "$rd/before"
	say "build/$name $mode" > "$W/current"
	local t0 ms0=${EPOCHREALTIME/./} ms
	now t0
	env IPCGRADE_TEST_CANARY="$CANARY_TEXT" TMPDIR="$W/runs" \
		"$HELPER" supervise "$rd" 120000 "$W/CANARY" -- \
		"$IPCGRADE" check --isolation "$mode" --spec "$W/build/spec.yaml" "$sub"
	snapshot > "$rd/after"
	now AFTER_T
	ms=$(( (${EPOCHREALTIME/./} - ms0) / 1000 ))
	read_super "$rd/super"
	status=$S_STATUS
	out=$(cat "$rd/out" "$rd/err")
	case $status in
	"exited 1") ;;
	"exited 0") why+=("the submission built and passed (exit 0); the build must fail") ;;
	hung) why+=("ipcgrade check did not come back within 120 s") ;;
	*) why+=("ipcgrade check: $status") ;;
	esac
	if [ "$(expected_field "$name" fails)" = build ]; then
		grep -Eq '^[[:space:]]*FAIL build' <<< "$out" || why+=("the report has no 'FAIL build' line")
	fi
	grep -qiF -- "$msg" <<< "$out" || why+=("the feedback does not contain '$msg'")
	for p in "root:" "$lacks" "$CANARY_TEXT"; do
		[ -n "$p" ] && grep -qF -- "$p" <<< "$out" && why+=("the feedback contains '$p'")
	done
	for p in "${absent[@]}"; do
		[ -n "$p" ] || continue
		p=$(expand_home "$p")
		[ -e "$p" ] && { why+=("host_file_absent: $p exists"); remove_hostile_path "$p"; }
	done
	grep -aq '^stopped\|^traced' "$rd/super" && why+=("grader-alive: $(grep -a '^stopped\|^traced' "$rd/super" | paste -sd';')")
	local uids=$S_UIDS
	host_checks "$rd" "$uids" "$t0" "build/$name ($mode)"
	why+=("${HOST_WHY[@]}")
	if [ ${#why[@]} -eq 0 ]; then
		say "PASS build/$name ($mode): build failed with '$msg'"
		PASSES=$((PASSES + 1)); record "build/$name" "$mode" PASS build "$msg" "$ms"
	else
		say "FAIL build/$name ($mode): ${why[0]}"
		print_why "${why[@]}"
		say "    feedback: $(grep -v '^$' <<< "$out" | head -12 | cut -c1-200 | sed 's/^/      /' | sed '1s/^ *//')"
		FAILS=$((FAILS + 1)); record "build/$name" "$mode" FAIL build "$msg" "$ms"
		cleanup_after "$rd" "$uids" "$t0"
	fi
}

inner() {
	STAGE=inner
	W=$HOSTILE_W
	HELPER=$W/bin/helper
	assert_guarded
	local t0 want=("$@") name progs=() builds=() d
	t0=$(date +%s)
	PASSES=0 FAILS=0 SKIPS=0 NOTES=()

	# the canaries and the run directories' parent
	mkdir -p "$W/runs" "$W/build" "$W/r" "$W/b"
	printf '%s\n' "$CANARY_TEXT" > "$W/CANARY"
	printf '%s\n' "$CANARY_TEXT" > "$W/runs/CANARY"
	printf '%s\n' "$CANARY_TEXT" > "$W/build/CANARY"
	cp "$HERE/build/spec.yaml" "$W/build/spec.yaml"
	cp "$HERE/build/spec.yaml" "$W/spec.yaml"
	chmod 0755 "$W/runs" "$W/build"
	chmod 0644 "$W/CANARY" "$W/runs/CANARY" "$W/build/CANARY" "$W/spec.yaml" "$W/build/spec.yaml"

	# full isolation available? queues in reduced isolation?
	FULL_OK=1 FULL_WHY="" MQ_OK=1 MQ_WHY=""
	local doc
	if ! doc=$("$IPCGRADE" doctor 2>&1); then
		FULL_OK=0
		FULL_WHY=$(printf '%s\n' "$doc" | grep -v '^ *$' | tail -1)
		say "full isolation is unavailable (ipcgrade doctor failed): $FULL_WHY"
	fi
	doc=$("$IPCGRADE" doctor --json 2>/dev/null)
	if grep -q '"reduced_mqueue": false' <<< "$doc"; then
		MQ_OK=0
		MQ_WHY=$(sed -n 's/.*"reduced_mqueue_how": "\(.*\)",*$/\1/p' <<< "$doc")
		say "message queues are refused in reduced isolation here: $MQ_WHY"
	fi

	for name in $(cd "$HERE" && printf '%s\n' ./*.c | sed 's|^\./||; s/\.c$//'); do
		if [ ${#want[@]} -eq 0 ] || [[ " ${want[*]} " == *" $name "* ]]; then progs+=("$name"); fi
	done
	for d in "$HERE"/build/*/; do
		name=$(basename "$d")
		if [ ${#want[@]} -eq 0 ] || [[ " ${want[*]} " == *" $name "* ]] || [[ " ${want[*]} " == *" build/$name "* ]]; then
			builds+=("$name")
		fi
	done
	for name in "${want[@]}"; do
		[ -f "$HERE/$name.c" ] || [ -d "$HERE/build/${name#build/}" ] || {
			say "FAIL no hostile program or build attack named '$name'"; FAILS=$((FAILS + 1)); }
	done

	snapshot > "$W/corpus.before"
	for name in "${progs[@]}"; do run_program "$name"; done
	local mode
	for name in "${builds[@]}"; do
		for mode in full reduced; do
			if [ "$mode" = full ] && [ $FULL_OK = 0 ]; then
				say "SKIPPED build/$name (full isolation): $FULL_WHY"; SKIPS=$((SKIPS + 1)); continue
			fi
			run_build_attack "$name" "$mode"
		done
	done
	snapshot > "$W/corpus.after"

	say ""
	say "host after the corpus (inside the guard), compared with before it:"
	local left
	left=$(grep '^proc ' "$W/corpus.after")
	if [ -n "$left" ]; then
		say "  FAIL processes left in the guard: $(printf '%s\n' "$left" | cut -d' ' -f2- | paste -sd';')"
		FAILS=$((FAILS + 1))
	fi
	host_state_diff "$W/corpus.before" "$W/corpus.after" "" || FAILS=$((FAILS + 1))
	if [ ${#NOTES[@]} -gt 0 ]; then
		say "notes: ${#NOTES[@]} changes during runs that no run can be blamed for (other users of this machine?), e.g.:"
		printf '  %s\n' "${NOTES[@]}" | head -5
	fi
	say ""
	say "summary: $PASSES passed, $FAILS failed, $SKIPS skipped ($(( $(date +%s) - t0 )) s in the guard)"
	say "done" > "$W/inner.done"
	[ $FAILS = 0 ]
}

STAGE=outer
case ${1:-} in -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
if [ "${HOSTILE_STAGE:-}" = inner ]; then
	inner "$@"
	exit $?
fi
outer "$@"
