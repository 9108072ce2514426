#!/bin/bash
# Queues N shards of a profile's trainings as a Slurm job array and the merge after them.
#   scripts/slurm/submit.sh N [PROFILE [BACKEND [targets...]]]
# e.g. scripts/slurm/submit.sh 8 paper webgpu. Run it from the repository root.
set -euo pipefail
if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/slurm/submit.sh N [PROFILE [BACKEND [targets...]]] (N: shards, from 1)" >&2
  exit 2
fi
N=$1 PROFILE=${2:-paper} BACKEND=${3:-webgpu}
shift $(($# < 3 ? $# : 3))
here=$(dirname "$0")
# Fails here, before anything is queued, on a bad profile, backend, target or N.
deno task reproduce --dry-run --profile "$PROFILE" --backend "$BACKEND" --shard "1/$N" "$@"
vars="ALL,SHARDS=$N,PROFILE=$PROFILE,BACKEND=$BACKEND"
array=$(sbatch --parsable --array="1-$N" --export="$vars" "$here/paper_shards.sbatch" "$@")
merge=$(sbatch --parsable --dependency="afterok:$array" --export="$vars" \
  "$here/merge_shards.sbatch" "$@")
echo "queued shards as job $array (array 1-$N) and the merge as job $merge"
