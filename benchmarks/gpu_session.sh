#!/bin/bash
# One lent GPU's benchmarks (issues 21 and 23), as one prepared command: the machine has PyTorch, timm and scikit-learn
# but not fastai, cleanlab or mlxtend, and cannot install from a registry, so their wheels travel in `.whl/`.
#
# Here first, with the package's environment active (wheels of the versions installed here, for Python 3.12;
# Fashion-MNIST's 70,000 as one gzipped IDX pair; bench_embedding.py's colour digits; about 40 MB in all):
#     bash benchmarks/gpu_session.sh --prepare
# Then from the repository root on the GPU machine, with `.whl`, `benchmarks/work/fashion-gz` and
# `benchmarks/work/embedding/colour_digits` carried:
#     BUDGET=560 bash benchmarks/gpu_session.sh
# Steps run in order of priority while BUDGET seconds last; a step done on this machine is skipped on a rerun, so a
# second call on the still-warm machine carries on. Results land in $OUT (or ./gpu_out): gpu_pack.jsonl
# (bench_gpu_pack.py's rows), embedding_gpu.json (bench_embedding.py's), gpu_step.jsonl and gpu_step_profile.txt
# (probes/gpu_step.py's), session.log. Here, afterwards (append the new rows to the committed files):
#     python benchmarks/bench_gpu_pack.py --summarize gpu_pack.jsonl; cp embedding_gpu.json benchmarks/ && python benchmarks/bench_embedding.py --md-only --results embedding_gpu
# SMOKE=1 tries every step on a CPU in about six minutes (tiny settings; nothing is worth keeping, and it writes only in
# $OUT and $WORK: its embedding rows go to $WORK/embedding_smoke.json, not to the committed embedding_gpu.json).
set -u
if [ "${1:-}" = --prepare ]; then
  set -e; mkdir -p .whl
  for name in fastai fastcore fastdownload fastprogress fasttransform plum-dispatch beartype cleanlab termcolor mlxtend defusedxml; do
    v=$(python -c "import importlib.metadata as m; print(m.version('$name'))")
    python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
      --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d .whl "$name==$v"
  done
  python -m pip wheel -q --no-deps . -w .whl          # the console scripts (the code itself is read from the tree)
  cd benchmarks && python -c "
import numpy as np, bench_embedding
from bench_detection import fashion_mnist_idx
from pseudo_clean.data import read_idx, write_idx
imgs = fashion_mnist_idx(); out = bench_embedding.HERE/'work'/'fashion-gz'; out.mkdir(parents=True, exist_ok=True)
write_idx(read_idx(imgs), out/'fashion-all-images-idx3-ubyte.gz'); write_idx(read_idx(str(imgs).replace('images', 'labels').replace('idx3', 'idx1')), out/'fashion-all-labels-idx1-ubyte.gz')
bench_embedding.case_source('colour')"
  exit
fi
START=$(date +%s); DEADLINE=$(( START + ${BUDGET:-560} ))
OUT=${OUT:-$PWD/gpu_out}; W=${WORK:-/tmp/gpu_work}; mkdir -p "$OUT" "$W"
LOG=$OUT/session.log; touch "$W/session.log"; cp "$W/session.log" "$LOG"
say() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$W/session.log"; }
if [ -d .whl ] && ! python3 -c 'import fastai, cleanlab, mlxtend' 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=$PWD:/tmp/site PATH=/tmp/site/bin:$PATH
fi
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
say "$(nvidia-smi -L 2>/dev/null | head -1) $(python3 -c 'import torch, fastai, sklearn; print("torch", torch.__version__, "fastai", fastai.__version__, "sklearn", sklearn.__version__, "cuda", torch.cuda.is_available())' 2>&1 | tail -1)"
python3 -c 'import pseudo_clean.run, cleanlab.filter' || { say "imports failed"; cp "$W/session.log" "$LOG"; exit 1; }

FASHION=benchmarks/work/fashion-gz/fashion-all-images-idx3-ubyte.gz
PACK_EXTRA=(); EMB_EXTRA=(--size 224 --steps resnet18=300); PROBE_EXTRA=(); LABEL_EXTRA=(); LOW_NOISE="--noise 0.005"
EMB_RESULTS=$PWD/benchmarks/embedding_gpu    # bench_embedding.py's --results, as an absolute path (it keeps one as it is)
if [ -n "${SMOKE:-}" ]; then EMB_RESULTS=$(realpath "$W")/embedding_smoke; PACK_EXTRA=(--extra "--epochs 1 --folds 2"); EMB_EXTRA=(--size 32 --steps resnet18=2 cnn=2); PROBE_EXTRA=(--epochs 1 --variants default fused_adamw)
  LABEL_EXTRA=(--extra "--rounds 1 --teachers 2 --folds 2 --pretrain 0 --epochs 1 --min_iters 10 --tta 0"); LOW_NOISE="--noise 0.005 --folds 2"; fi
step() {   # step NAME pack|embed ARGS...: once per machine, within the deadline, its log's tail kept
  local name=$1; shift; "$@"   # sets CMD
  [ -e "$W/$name.done" ] && return
  local left=$(( DEADLINE - $(date +%s) ))
  if [ $left -lt 30 ]; then say "skipped $name: ${left}s left"; return; fi
  local t0=$(date +%s)
  timeout $left "${CMD[@]}" > "$W/$name.log" 2>&1; local rc=$?
  [ $rc -eq 0 ] && touch "$W/$name.done"
  say "$name: rc $rc in $(( $(date +%s) - t0 ))s"; tail -n 4 "$W/$name.log" | cut -c1-400 >> "$W/session.log"
  cp "$W/session.log" "$LOG"; [ -e "$W/pack/gpu_pack.jsonl" ] && cp "$W/pack/gpu_pack.jsonl" "$OUT/"
  [ -e "$EMB_RESULTS.json" ] && cp "$EMB_RESULTS.json" "$OUT/"
  [ -e "$W/probe/gpu_step.jsonl" ] && cp "$W/probe/gpu_step.jsonl" "$W/probe/gpu_step_profile.txt" "$OUT/" 2>/dev/null
}
pack() { CMD=(python3 benchmarks/bench_gpu_pack.py "$W/pack" --cases "$1" --processes "$2" --mixed_precision "$3" --stack_folds "${4:-auto}" --fashion "$FASHION" "${PACK_EXTRA[@]}"); }
probe() { CMD=(python3 benchmarks/probes/gpu_step.py "$W/probe" --profile "${PROBE_EXTRA[@]}"); }
embed() { CMD=(python3 benchmarks/bench_embedding.py --results "$EMB_RESULTS" --cases "$1" --modes "${@:2}" "${EMB_EXTRA[@]}"); }
labelling() { CMD=(python3 benchmarks/bench_gpu_pack.py "$W/pack" --cases label --processes 1 --stack_folds "$1" "${LABEL_EXTRA[@]}"); }
low_noise() { CMD=(python3 benchmarks/bench_gpu_pack.py "$W/pack" --cases sample --processes 1 --stack_folds "$1" --extra "$LOW_NOISE ${2:-}"); }

# Measured before (gpu_pack.md, embedding_gpu.md): fold by fold, the zero-argument job trained in 26 s (float32) and 23 s
# (bf16); Fashion-MNIST 70k, four folds packed, 86 s. Now the folds stacked into one network (`--stack_folds`, 'auto' on a
# GPU): the zero-argument job as a user runs it, in float32 and bf16; Fashion-MNIST; then the fold-by-fold baseline again in
# this session (the ratio), then the rest.
step sample_stack_off pack sample 1 off auto      # the zero-argument job: target under 5 s of training
step label_stack labelling auto                   # pseudo_clean_label's defaults, each round's teachers stacked (2026-12-04 late)
step label_folds labelling off                    # the same, its models one after another: the ratio
step low_noise_stack low_noise auto               # few wrong labels: the command trains twice (`low_noise_settings`), stacked
step low_noise_w32 low_noise auto "--width 32"    # the same at width 32, the lever that ranks hard errors better (detection_defaults): its cost here
step sample_stack_bf16 pack sample 1 auto auto
step fashion_stack_bf16 pack fashion 1 auto auto  # Fashion-MNIST 70k: target five folds under 60 s
step sample_folds_off pack sample 1 off off       # fold by fold, float32: the baseline, in this session
step fashion_stack_off pack fashion 1 off auto
step gpu_step probe                               # where a fold-by-fold step's 15 ms go (probes/gpu_step.py): about a minute
step colour_224_cnn embed colour cnn              # issue 21: the small CNN from scratch at 224 px, beside the resnet18 rows
say "done"; cp "$W/session.log" "$LOG"
