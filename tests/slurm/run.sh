#!/bin/bash
# tests/slurm/run.sh IPCGRADE - sharding on a real Slurm: bring up a
# single-node cluster on this machine (munged, slurmctld and slurmd on
# localhost, a generated minimal slurm.conf, everything in a temporary
# folder), submit docker/examples/slurm-array.sh's job array over a small
# class with IPCGRADE pointing at the built binary (the script's own way
# of running something other than an installed ipcgrade, instead of a
# container), wait for the array and its merge job, and check that the
# merged results equal an unsharded `ipcgrade grade` of the same class.
# The daemons are this script's children, stopped by their pids on every
# exit; nothing is left behind. Prints SKIPPED (and exits 0) with the
# reason when Slurm or munge is missing or the daemons do not start.
set -uo pipefail

ipcgrade=$(realpath "${1:-build/ipcgrade}")
src=$(cd "$(dirname "$0")/../.." && pwd)
shards=3
pids=()
T=""

skip() {
	echo "slurm-test: SKIPPED: $*"
	exit 0
}
fail() {
	echo "slurm-test: FAILED: $*" >&2
	for f in "$T"/log/*; do
		[ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
	done
	exit 1
}
# Job step daemons of our slurmd: they detach from it, and are known by
# their open files in $T (its spool and log).
our_stepds() {
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = slurmstepd ] || continue
		ls -l "$d/fd" 2>/dev/null | grep -q -- "-> $T/" && echo "${d#/proc/}"
	done
}
cleanup() {
	local p
	if [ -n "$T" ] && [ -f "$T/slurm.conf" ] && [ ${#pids[@]} -gt 1 ]; then
		SLURM_CONF=$T/slurm.conf timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null
		# Let the last steps finish before their slurmd goes.
		for _ in $(seq 150); do [ -z "$(our_stepds)" ] && break; sleep 0.1; done
		for p in $(our_stepds); do kill -9 "$p" 2>/dev/null; done
	fi
	# Stop in reverse order: slurmd, slurmctld, munged.
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		p=${pids[i]}
		kill "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$T" ] && rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for prog in munged munge slurmctld slurmd sbatch squeue scancel; do
	command -v "$prog" >/dev/null 2>&1 || [ -x "/usr/sbin/$prog" ] ||
		skip "$prog is not installed (Debian packages slurm-wlm and munge; make deps installs them)"
done
[ -x "$ipcgrade" ] || fail "no ipcgrade binary at $ipcgrade"
PATH=$PATH:/usr/sbin

T=$(mktemp -d /tmp/ipcgrade-slurm-XXXXXX) || fail "mktemp"
chmod 755 "$T"
mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
chmod 700 "$T/munge"
head -c 1024 /dev/urandom >"$T/munge/munge.key" && chmod 400 "$T/munge/munge.key"

# munge: the authentication Slurm's daemons and commands use.
munged -F -f --socket="$T/munge/socket" --key-file="$T/munge/munge.key" \
	--pid-file="$T/munge/munged.pid" --seed-file="$T/munge/seed" \
	--log-file="$T/log/munged.log" >"$T/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$T/munge/socket" ] && break; sleep 0.1; done
munge -S "$T/munge/socket" -n 2>/dev/null | unmunge -S "$T/munge/socket" >/dev/null 2>&1 ||
	skip "munged did not start: $(tail -n 3 "$T/log/munged.out" | tr '\n' ' ')"

# A one-node cluster: this host, two CPUs, ports of its own.
host=$(hostname -s)
port=$((30000 + ($$ % 15000) * 2))
export SLURM_CONF=$T/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=ipcgrade-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$T/munge/socket
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
pids+=($!)
up=""
for _ in $(seq 100); do
	if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then up=1; break; fi
	sleep 0.2
done
[ -n "$up" ] || skip "slurmctld and slurmd did not come up: $(tail -n 2 "$T/log/slurmctld.out" "$T/log/slurmd.out" 2>/dev/null | tr '\n' ' ')"
echo "slurm-test: a one-node Slurm $(sinfo -V 2>/dev/null | awk '{print $2}') is up on $host (port $port)"

# The class: deterministic submissions (a jittered race could grade
# differently from one run to the next).
a=$src/assignments/pipe-messages
mkdir "$T/class"
cp -r "$a/solution" "$T/class/alice"
cp -r "$a/solution" "$T/class/bob"
sed -i 's/Received: /Recieved: /' "$T/class/bob/pipe.c"
cp "$a/solution/pipe.c" "$T/class/carol_12345_67890_pipe.c"
mkdir "$T/class/dave"
cp -r "$src/tests/fixtures/similarity/independent" "$T/class/erin"
cp -r "$src/tests/fixtures/similarity/renamed" "$T/class/frank"

IPCGRADE=$ipcgrade "$src/docker/examples/slurm-array.sh" submit pipe-messages "$T/class" "$T/out" "$shards" ||
	fail "submitting the job array"
for _ in $(seq 600); do
	[ -z "$(squeue -h 2>/dev/null)" ] && break
	sleep 1
done
[ -z "$(squeue -h 2>/dev/null)" ] && echo "slurm-test: the array and the merge job ended" ||
	fail "jobs still queued after 10 minutes: $(squeue -h)"
[ -f "$T/out/final/summary.csv" ] || fail "no merged results (out/final/summary.csv); job logs: $(tail -n 5 "$T"/out/slurm-*.out)"
for k in $(seq "$shards"); do
	grep -q '"shards": '"$shards" "$T/out/shard-$k/batch.json" || fail "shard $k did not run as a $shards-way shard"
done

# The same class, unsharded.
"$ipcgrade" grade pipe-messages -o "$T/whole" "$T/class" >"$T/log/whole.out" 2>&1 || fail "the unsharded grade"
passed=0
failed=0
for f in summary.csv similarity.csv; do
	if cmp -s "$T/whole/$f" "$T/out/final/$f"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "slurm-test: $f differs between the merged shards and the unsharded grade:" >&2
		diff "$T/whole/$f" "$T/out/final/$f" >&2
	fi
done
n_whole=$(grep -c '<tr class="student"' "$T/whole/index.html")
n_final=$(grep -c '<tr class="student"' "$T/out/final/index.html")
if [ "$n_whole" = 6 ] && [ "$n_final" = 6 ]; then passed=$((passed + 1)); else
	failed=$((failed + 1)); echo "slurm-test: index.html lists $n_final students (unsharded: $n_whole, want 6)" >&2; fi
grep -q '^alice,carol_12345_67890_pipe,' "$T/out/final/similarity.csv" && passed=$((passed + 1)) ||
	{ failed=$((failed + 1)); echo "slurm-test: the merged similarity misses alice/carol" >&2; }
echo "slurm-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
