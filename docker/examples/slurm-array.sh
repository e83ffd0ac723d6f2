#!/bin/bash
# Slurm: grade a whole class as a job array of SHARDS tasks, then merge.
#
#   slurm-array.sh submit ASSIGNMENT SUBMISSIONS_DIR OUT_DIR [SHARDS]
#
# submits (1) an array job of SHARDS tasks and (2) a merge job that starts
# only when every task of the array ended with exit status 0
# (--dependency=afterok). The final results land in OUT_DIR/final/.
#
# Sharding: task K (--array=1-SHARDS, so SLURM_ARRAY_TASK_ID is 1-based) runs
#   ipcgrade grade ASSIGNMENT --shard K/SHARDS -o OUT_DIR/shard-K SUBMISSIONS_DIR
# which grades the K-th of SHARDS deterministic parts of the class (split by
# student id: every task computes the same split from the same folder). An
# array submitted 0-based (--array=0-N-1) works too: the script then uses
# SLURM_ARRAY_TASK_ID+1. A requeued task resumes (--resume) its shard.
# Merging: the merge job checks that all SHARDS shards finished (each has its
# summary.json) and come from a SHARDS-way split, then runs
#   ipcgrade merge OUT_DIR/shard-1 ... OUT_DIR/shard-SHARDS -o OUT_DIR/final
# (ipcgrade merge itself refuses shards of different specs and students
# graded twice, but not a missing shard: hence the check).
#
# SUBMISSIONS_DIR and OUT_DIR must be on a file system every node sees.
# IPCGRADE says how the nodes run ipcgrade (default: `ipcgrade` on PATH,
# from `make install`), for example a container:
#   IPCGRADE="apptainer exec ipcgrade.sif ipcgrade"
#   IPCGRADE="docker run --rm --init --security-opt seccomp=/opt/ipcgrade/seccomp.json
#             --security-opt systempaths=unconfined -v /scratch:/scratch -w $PWD ipcgrade"
# `ipcgrade doctor` in each task's log says which isolation the node gives.
#
# The #SBATCH lines below apply to both jobs; override them on submission
# (e.g. SBATCH_PARTITION=short, SBATCH_TIMELIMIT=30) or edit them.
#SBATCH --job-name=ipcgrade
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
set -uo pipefail

IPCGRADE=${IPCGRADE:-ipcgrade}

usage() {
	echo "usage: $0 submit ASSIGNMENT SUBMISSIONS_DIR OUT_DIR [SHARDS]" >&2
	exit 2
}

submit() {
	[ $# -ge 3 ] || usage
	local assignment=$1 subs out shards=${4:-8} self array merge
	subs=$(realpath "$2") || exit 2
	mkdir -p "$3" && out=$(realpath "$3") || exit 2
	case $shards in '' | *[!0-9]* | 0) usage ;; esac
	self=$(realpath "$0")
	# IPCGRADE is passed on with the environment (sbatch exports it).
	array=$(sbatch --parsable --array="1-$shards" --output="$out/slurm-%A_%a.out" \
		"$self" task "$assignment" "$subs" "$out" "$shards") || exit 1
	array=${array%%;*}
	merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
		--cpus-per-task=1 --output="$out/slurm-merge-%j.out" \
		"$self" merge "$out" "$shards") || exit 1
	merge=${merge%%;*}
	echo "submitted array job $array ($shards shards) and merge job $merge; results: $out/final"
}

task() {
	[ $# -eq 4 ] || usage
	local assignment=$1 subs=$2 out=$3 shards=$4 k dir resume=()
	k=${SLURM_ARRAY_TASK_ID:?not in a Slurm array task}
	[ "${SLURM_ARRAY_TASK_MIN:-1}" = 0 ] && k=$((k + 1))
	dir=$out/shard-$k
	mkdir -p "$dir"
	[ -f "$dir/batch.json" ] && resume=(--resume)
	rm -f "$dir/summary.json"	# the merge waits for this run's summary
	echo "shard $k/$shards on $(hostname)"
	$IPCGRADE doctor
	$IPCGRADE grade "$assignment" --shard "$k/$shards" "${resume[@]}" \
		-j "${SLURM_CPUS_PER_TASK:-1}" -o "$dir" "$subs"
}

merge() {
	[ $# -eq 2 ] || usage
	local out=$1 shards=$2 k dirs=()
	for ((k = 1; k <= shards; k++)); do
		if [ ! -f "$out/shard-$k/summary.json" ]; then
			echo "shard $k of $shards has not finished: no $out/shard-$k/summary.json" >&2
			exit 1
		fi
		if ! grep -q "\"shards\": $shards," "$out/shard-$k/batch.json"; then
			echo "$out/shard-$k is not a shard of a $shards-way split" >&2
			exit 1
		fi
		dirs+=("$out/shard-$k")
	done
	rm -rf "$out/final"
	$IPCGRADE merge "${dirs[@]}" -o "$out/final" || exit 1
	echo "merged $shards shards into $out/final"
}

case ${1:-} in
submit | task | merge)
	cmd=$1
	shift
	"$cmd" "$@"
	;;
*) usage ;;
esac
