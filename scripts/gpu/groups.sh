#!/usr/bin/env bash
# Grouped training on a GPU host, in one script of at most 8 minutes:
#   1. `bench --models 1,5,10,30` on WebGPU: ms per model-update of the paper's disk autoencoder
#      in groups of K (target: K = 30 at most a tenth of K = 1's);
#   2. the paper profile's 24 trainings on `data-hole` (`reg`'s none, ψ1, ψ2, ψ3 × 5 seeds and
#      `lambda`'s four other λ) in one process (`--jobs 1 --group-size 40`), stopped with SIGINT
#      after LIMIT seconds if not done (each keeps its last checkpoint), then exported with
#      their checkpoints, so that another host (or this machine) imports and resumes them.
#
# Prepare, in a checkout with network:
#   bash ../shared/gpu/prepare.sh
#   deno task bundle stages/main.ts .gpu/app.js
#   deno task bundle bench/bench.ts .gpu/bench.js
# On the host, from the repository root (OUT: a directory for the results):
#   bash scripts/gpu/groups.sh OUT
# Here, on a software adapter (slow), a rehearsal of the same steps:
#   ON_DEVICE=0 PROFILE=quick MODELS=1,2 REPEATS=2 LIMIT=150 bash scripts/gpu/groups.sh /tmp/groups
#
# What OUT should hold: bench.log and group.json (a table of ms per update, per model-update and
# model-updates per second for each K; the target: the K = 30 row's ms per model-update at most a
# tenth of K = 1's), reproduce.log (24 "▶ … in a group of 24" lines, then either "24 ran … in" a
# time under 4 min, the target, or the SIGINT line and exit code 124 from the timeout), export.log and
# trainings.tar.gz (the finished trainings and the others' checkpoints), status.txt. Back here:
# `deno task import OUT/trainings.tar.gz`, then the same `reproduce` resumes what is unfinished.
set -euo pipefail
out=${1:?usage: groups.sh OUT_DIR}
profile=${PROFILE:-paper}
models=${MODELS:-1,5,10,30}
repeats=${REPEATS:-20}
limit=${LIMIT:-300}
mkdir -p "$out"
# The GPU host's Deno and Vulkan loader (ON_DEVICE=0: this machine's, for a rehearsal).
if [ "${ON_DEVICE:-1}" = 1 ]; then source .gpu/on-device.sh; fi
run=(deno run -A --no-config)
ids=()
for reg in none psi1 psi2 psi3; do
  for seed in 1 2 3 4 5; do ids+=("train-reg-$reg-s$seed"); done
done
ids+=(train-lambda-0p1 train-lambda-10 train-lambda-50 train-lambda-100)

echo "== bench --models $models"
"${run[@]}" .gpu/bench.js --backend webgpu --models "$models" --repeats "$repeats" \
  --out "$out/group.json" 2>&1 | tee "$out/bench.log"

echo "== ${#ids[@]} trainings on data-hole in one process ($profile profile, at most ${limit} s)"
start=$(date +%s)
set +e
timeout --signal=INT "$limit" "${run[@]}" .gpu/app.js reproduce --profile "$profile" \
  --backend webgpu --jobs 1 --group-size 40 "${ids[@]}" 2>&1 | tee "$out/reproduce.log"
code=${PIPESTATUS[0]}
set -e
echo "reproduce exit code $code after $(($(date +%s) - start)) s" | tee -a "$out/reproduce.log"
# Finished trainings and the checkpoints of the others (none yet: export says so).
"${run[@]}" .gpu/app.js export data/groups.tar.gz --profile "$profile" --backend webgpu \
  --no-inputs --checkpoints "${ids[@]}" 2>&1 | tee "$out/export.log" || true
if [ -f data/groups.tar.gz ]; then mv data/groups.tar.gz "$out/trainings.tar.gz"; fi
"${run[@]}" .gpu/app.js status --profile "$profile" --backend webgpu "${ids[@]}" \
  > "$out/status.txt" 2>&1 || true
