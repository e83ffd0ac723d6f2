#!/usr/bin/env bash
# tests/guard_selftest.sh - prove that tests/guard.sh contains what it claims.
#
# Order matters, from harmless to dangerous, and every dangerous step runs
# only after the previous steps proved the guard works:
#   1. plumbing: exit status, signals, stdin, PID namespace, limits in force,
#      nesting, cleanup of cgroups the command creates, SKIPPED for non-root
#   2. pid limit with a harmless command: 100 x `sleep 1` under --pids 20
#   3. C fork bomb under --pids 64, then the shell bomb :(){ :|:& };:
#   4. memory hog under --memory-mb 128
# Each bomb and hog refuses to start unless it sees a fresh PID namespace and
# its cgroup's limit (an interlock in case the guard regresses).
#
# Exit: 0 all passed, 1 something failed, 77 the guard skipped (then the
# dangerous steps are not attempted).  Needs gcc.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
GUARD=$HERE/guard.sh
T=$(mktemp -d "${TMPDIR:-/tmp}/guard-selftest.XXXXXX")
trap 'rm -rf "$T"' EXIT

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); printf 'ok   - %s\n' "$*"; }
bad() { FAIL=$((FAIL + 1)); printf 'FAIL - %s\n' "$*"; }
check() { # DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
note() { printf '     %s\n' "$*"; }

command -v gcc >/dev/null || { echo "guard_selftest: SKIPPED: gcc not found" >&2; exit 77; }

# ------------------------------------------------------------- helpers
cat > "$T/spawner.c" <<'EOF'
/* fork N children that sleep 1 s; report how many forks worked */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, ok = 0, eagain = 0, other = 0;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) { sleep(1); _exit(0); }
		if (p > 0) ok++;
		else if (errno == EAGAIN) eagain++;
		else other++;
	}
	while (wait(NULL) > 0)
		;
	printf("spawned=%d eagain=%d other=%d\n", ok, eagain, other);
	return 0;
}
EOF
cat > "$T/guard-bomb.c" <<'EOF'
/* guard-bomb PIDS_CURRENT_FILE SECONDS: one child runs a classic fork bomb
 * (every process forks forever); the first process samples the pid count
 * for SECONDS and exits, which tears the PID namespace and the bomb down.
 * As a last resort every bomber also stops by itself after 60 s. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static long readnum(const char *f)
{
	FILE *fp = fopen(f, "r");
	long v = -1;
	if (fp) { if (fscanf(fp, "%ld", &v) != 1) v = -1; fclose(fp); }
	return v;
}
static int nprocs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	if (!d) return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') n++;
	closedir(d);
	return n;
}
int main(int argc, char **argv)
{
	if (argc < 3) return 2;
	time_t stop = time(NULL) + 60;
	if (fork() == 0) {
		while (time(NULL) < stop)
			fork();
		_exit(0);
	}
	long max = 0;
	int maxproc = 0;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	for (int i = 0; i < atoi(argv[2]) * 50; i++) {
		long c = readnum(argv[1]);
		int p = nprocs();
		if (c > max) max = c;
		if (p > maxproc) maxproc = p;
		nanosleep(&ts, NULL);
	}
	printf("peak pids.current=%ld peak processes in namespace=%d\n", max, maxproc);
	fflush(stdout);
	return 0;
}
EOF
cat > "$T/guard-hog.c" <<'EOF'
/* guard-hog MAX_MB: touch 16 MiB chunks up to MAX_MB, report progress */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	int max = argc > 1 ? atoi(argv[1]) : 1024;
	for (int mb = 16; mb <= max; mb += 16) {
		char *p = malloc(16 << 20);
		if (!p) { printf("malloc failed at %d MiB\n", mb); return 3; }
		memset(p, 1, 16 << 20);
		printf("touched %d MiB\n", mb);
		fflush(stdout);
	}
	return 0;
}
EOF
for p in spawner guard-bomb guard-hog; do
	gcc -std=gnu11 -O2 -Wall -Wextra -o "$T/$p" "$T/$p.c" || { echo "guard_selftest: cannot compile $p" >&2; exit 1; }
done
cp "$(command -v bash)" "$T/shbomb"	# a bash whose processes we can count by name

# Interlock run inside the guard before a dangerous helper: refuse unless we
# are in a new PID namespace and our cgroup has at most the given limit.
# Usage (inside): interlock HOST_PIDNS FILE[,FILE...] MAX -- CMD...
# (the first FILE that exists for our cgroup counts); exports
# GUARD_CGROUP_DIR and GUARD_CGROUP_FILE.
cat > "$T/interlock" <<'EOF'
#!/usr/bin/env bash
hostns=$1 files=$2 max=$3; shift 4
[ "$(readlink /proc/self/ns/pid)" != "$hostns" ] || { echo "interlock: not in a new PID namespace" >&2; exit 99; }
dir= file=
while IFS=: read -r _ ctrls path; do
	while read -r -a f; do
		i=6; while [ "${f[$i]}" != - ]; do i=$((i+1)); done
		# the mount of this very hierarchy: cgroup2 for 0::, else a v1
		# mount whose super options name one of the line's controllers
		if [ -z "$ctrls" ]; then
			[ "${f[$((i+1))]}" = cgroup2 ] || continue
		else
			[ "${f[$((i+1))]}" = cgroup ] || continue
			case ",${f[$((i+3))]}," in *",${ctrls%%,*},"*) ;; *) continue ;; esac
		fi
		[ "${f[3]}" = / ] || continue
		d=${f[4]}${path%/}
		IFS=, read -r -a alts <<< "$files"
		for a in "${alts[@]}"; do
			[ -z "$dir" ] && [ -e "$d/$a" ] && dir=$d file=$a
		done
	done < /proc/self/mountinfo
done < /proc/self/cgroup
[ -n "$dir" ] || { echo "interlock: no $files for our cgroup" >&2; exit 99; }
v=$(cat "$dir/$file")
[ "$v" != max ] && [ "$v" -le "$max" ] || { echo "interlock: $dir/$file is $v, want <= $max" >&2; exit 99; }
export GUARD_CGROUP_DIR=$dir GUARD_CGROUP_FILE=$dir/$file
exec "$@"
EOF
chmod +x "$T/interlock"
HOSTNS=$(readlink /proc/self/ns/pid)

nprocs() { ps -e --no-headers | wc -l; }
# guard cgroups left behind by guards that are no longer running
stale_cgroups() {
	local d pid
	for d in $(find /sys/fs/cgroup -maxdepth 6 -type d -name 'ipcgrade-guard.*' 2>/dev/null); do
		pid=${d##*/ipcgrade-guard.}; pid=${pid%%.*}
		kill -0 "$pid" 2>/dev/null || echo "$d"
	done
}

# --------------------------------------------------------- 1. plumbing
echo "# 1. plumbing"
"$GUARD" -- true
rc=$?
if [ $rc = 77 ]; then
	echo "guard_selftest: SKIPPED: the guard cannot protect on this machine (see its message above)" >&2
	exit 77
fi
check "true exits 0" [ $rc = 0 ]
"$GUARD" -- sh -c 'exit 42'; check "exit status 42 propagated" [ $? = 42 ]
"$GUARD" -- sh -c 'kill -TERM $$'; check "death by SIGTERM gives 143" [ $? = 143 ]
out=$(echo via-stdin | "$GUARD" -- cat); check "stdin reaches the command" [ "$out" = via-stdin ]
out=$("$GUARD" -- sh -c 'echo $$'); check "command runs in a new PID namespace (its pid is $out)" [ "$out" -lt 10 ]
out=$("$GUARD" -- sh -c 'ls /proc | grep -c "^[0-9]"'); check "its /proc shows only the namespace ($out processes)" [ "$out" -lt 10 ]
out=$("$GUARD" --pids 37 --memory-mb 99 -- "$T/interlock" "$HOSTNS" pids.max 37 -- sh -c 'cat $GUARD_CGROUP_DIR/pids.max')
check "pids.max of its cgroup is 37 ($out)" [ "$out" = 37 ]
out=$("$GUARD" --pids 37 --memory-mb 99 -- "$T/interlock" "$HOSTNS" memory.max,memory.limit_in_bytes 103809024 -- sh -c 'cat "$GUARD_CGROUP_FILE"')
check "memory limit of its cgroup is 99 MiB ($out)" [ "$out" = 103809024 ]
out=$("$GUARD" --pids 100 -- "$GUARD" --pids 10 -- cat /proc/self/cgroup | grep -c 'ipcgrade-guard\.[0-9.]*/ipcgrade-guard\.')
check "a guard inside a guard nests its cgroup under the outer one" [ "$out" -ge 1 ]
"$GUARD" --timeout 1 -- sleep 100 2>/dev/null; check "--timeout kills and exits 124" [ $? = 124 ]
# a command that makes its own cgroup below the guard's (as the sandbox will)
# and leaves a process in it; the guard must kill it and remove both
"$GUARD" -- "$T/interlock" "$HOSTNS" pids.max 512 -- sh -c '
	mkdir "$GUARD_CGROUP_DIR/box" && sh -c "echo \$\$ > $GUARD_CGROUP_DIR/box/cgroup.procs; exec sleep 313" &
	sleep 0.3; exit 0'
sleep 0.2
check "a process in a sub-cgroup made by the command is killed" [ "$(pgrep -f -c 'sleep 313')" = 0 ]
check "no stale guard cgroups" [ -z "$(stale_cgroups)" ]
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$GUARD" -- sh -c 'echo RAN' 2>"$T/err")
	rc=$?
	check "as nobody (no delegated cgroup) it exits 77 and does not run the command" [ $rc = 77 ] && [ -z "$out" ]
	note "$(cat "$T/err")"
fi

# ---------------------------------------------- 2. harmless pid limit
echo "# 2. pid limit, harmless: 100 x sleep 1 under --pids 20"
out=$("$GUARD" --pids 20 --timeout 60 -- "$T/interlock" "$HOSTNS" pids.max 20 -- "$T/spawner" 100)
rc=$?
note "$out"
spawned=$(sed -n 's/.*spawned=\([0-9]*\).*/\1/p' <<< "$out")
eagain=$(sed -n 's/.*eagain=\([0-9]*\).*/\1/p' <<< "$out")
check "spawner ran (rc=$rc)" [ $rc = 0 ]
check "at most 19 children at once ($spawned spawned, $eagain refused with EAGAIN)" [ "${spawned:-99}" -le 19 ] && [ "${eagain:-0}" -ge 81 ]
if [ $FAIL -gt 0 ]; then
	echo "# not running the fork bombs: the guard failed a harmless check" >&2
	echo "# passed $PASS, failed $FAIL"
	exit 1
fi

# ----------------------------------------------------- 3. fork bombs
echo "# 3. fork bombs under --pids 64"
before=$(nprocs)
"$GUARD" --pids 64 --timeout 60 -- "$T/interlock" "$HOSTNS" pids.max 64 -- \
	sh -c 'exec "$0" "$GUARD_CGROUP_DIR/pids.current" 4' "$T/guard-bomb" > "$T/bomb.out" 2> "$T/bomb.err" &
g=$!
peak_host=0
for _ in $(seq 1 30); do
	sleep 0.1
	n=$(pgrep -c -x guard-bomb)
	[ "$n" -gt "$peak_host" ] && peak_host=$n
done
wait $g
rc=$?
sleep 0.2
after=$(nprocs)
left=$(pgrep -c -x guard-bomb)
note "$(cat "$T/bomb.out") rc=$rc; seen from the host: at most $peak_host guard-bomb processes"
note "host processes before=$before after=$after (other users of the machine add noise)"
check "C fork bomb: guard returned with the bomb's status 0 (rc=$rc)" [ $rc = 0 ]
peak=$(sed -n 's/.*pids.current=\([0-9]*\).*/\1/p' "$T/bomb.out")
check "C fork bomb: peak pids in the cgroup ${peak:-?} <= 64" [ -n "$peak" ] && [ "$peak" -le 64 ] && [ "$peak" -ge 32 ]
check "C fork bomb: at most 64 bomb processes seen from the host ($peak_host)" [ "$peak_host" -le 64 ]
check "C fork bomb: nothing of it left on the host ($left guard-bomb processes)" [ "$left" = 0 ]
check "C fork bomb: host process count back to normal (after-before=$((after - before)) <= 20; others add noise, a survivor bomb would add ~60)" [ $((after - before)) -le 20 ]
check "C fork bomb: no stale guard cgroups" [ -z "$(stale_cgroups)" ]

before=$(nprocs)
"$GUARD" --pids 64 --timeout 60 -- "$T/interlock" "$HOSTNS" pids.max 64 -- \
	"$T/shbomb" -c ':(){ :|:& };:; sleep 4; exit 0' > /dev/null 2> "$T/shbomb.err" &
g=$!
peak_host=0
for _ in $(seq 1 30); do
	sleep 0.1
	n=$(pgrep -c -x shbomb)
	[ "$n" -gt "$peak_host" ] && peak_host=$n
done
wait $g
rc=$?
sleep 0.2
after=$(nprocs)
left=$(pgrep -c -x shbomb)
note "shell bomb rc=$rc; seen from the host: at most $peak_host shbomb processes; $(grep -c 'fork' "$T/shbomb.err") fork-failure messages"
note "host processes before=$before after=$after"
check "shell fork bomb: guard returned (rc=$rc)" [ $rc = 0 ]
check "shell fork bomb: at most 64 bomb processes seen from the host ($peak_host)" [ "$peak_host" -le 64 ] && [ "$peak_host" -ge 20 ]
check "shell fork bomb: nothing of it left on the host ($left shbomb processes)" [ "$left" = 0 ]
check "shell fork bomb: host process count back to normal (after-before=$((after - before)) <= 20)" [ $((after - before)) -le 20 ]

before=$(nprocs)
"$GUARD" --pids 64 --timeout 3 -- "$T/interlock" "$HOSTNS" pids.max 64 -- \
	"$T/shbomb" -c ':(){ :|:& };:; sleep 100' > /dev/null 2>&1
rc=$?
sleep 0.2
left=$(pgrep -c -x shbomb)
check "endless shell bomb: --timeout 3 ends it with 124 (rc=$rc), $left left" [ $rc = 124 ] && [ "$left" = 0 ]
check "fork bombs: no stale guard cgroups" [ -z "$(stale_cgroups)" ]

# ------------------------------------------------------- 4. memory hog
echo "# 4. memory hog (up to 2048 MiB) under --memory-mb 128"
"$GUARD" --memory-mb 128 --timeout 60 -- "$T/interlock" "$HOSTNS" memory.max,memory.limit_in_bytes 134217728 -- "$T/guard-hog" 2048 > "$T/hog.out" 2> "$T/hog.err"
rc=$?
last=$(tail -n 1 "$T/hog.out")
note "hog rc=$rc, last progress line: '$last'"
mb=$(sed -n 's/touched \([0-9]*\) MiB/\1/p' <<< "$last")
check "memory hog: killed by the OOM killer (rc=$rc is 137)" [ $rc = 137 ]
check "memory hog: got no further than the limit (${mb:-?} MiB touched <= 128)" [ -n "$mb" ] && [ "$mb" -le 128 ]
check "memory hog: no stale guard cgroups" [ -z "$(stale_cgroups)" ]

echo "# passed $PASS, failed $FAIL"
[ $FAIL = 0 ]
