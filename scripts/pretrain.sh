#!/usr/bin/env bash
# Pretraining of the shipped models, in the background, at low priority, resumable.
#
#   scripts/pretrain.sh start     bundle tools/research/train-main.ts (scripts/build.mjs --only=tools) and launch the pipeline (nohup, nice 19)
#   scripts/pretrain.sh status    meta.json of every run + the pipeline log tail
#   scripts/pretrain.sh stop      SIGTERM the running trainer (it checkpoints, then exits) and the pipeline
#
# Pipeline (one training process at a time, the machine has 2 cores shared with other work):
#   1. age classifier (the GANs' frozen age teacher) -> $RUNS/age-classifier, exported fp16 to
#      $RUNS/age-classifier/export (also copied to assets/models/age-classifier by hand, see report)
#   2. CycleGAN-style and Age-cGAN, alternating in time slices of $SLICE_MINUTES so both advance;
#      each slice resumes from the newest checkpoint (checkpoints every $CKPT_MINUTES minutes).
# Running `start` again resumes everything (all runs use --resume); a SIGKILL loses at most
# $CKPT_MINUTES minutes of one run.
#
# Data: $PACKED (the packed dataset of models/face/prepare-dataset.ts) once it is complete, else
# $FOLDER (UTKFace images + labels.csv, split by the same content-hash rule, seed 1234, 10% val).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CACHE:-$ROOT/../cache}"
RUNS="${RUNS:-$CACHE/runs}"
BIN="${BIN:-$CACHE/bin}"
PACKED="${PACKED:-$CACHE/utkface-128}"
FOLDER="${FOLDER:-$ROOT/../shared/data/utkface}"
THREADS="${THREADS:-2}"
CKPT_MINUTES="${CKPT_MINUTES:-5}"
SLICE_MINUTES="${SLICE_MINUTES:-20}"
CLS_STEPS="${CLS_STEPS:-1500}"
CLS_MAX_MINUTES="${CLS_MAX_MINUTES:-40}"
CYC_STEPS="${CYC_STEPS:-4000}"
CYC_RES="${CYC_RES:-64}"
ACGAN_STEPS="${ACGAN_STEPS:-4000}"
ACGAN_RES="${ACGAN_RES:-64}"
LOG="$RUNS/pretrain.log"
PIDFILE="$RUNS/pretrain.pid"

bundle() {
  mkdir -p "$BIN"
  (cd "$ROOT" && node scripts/build.mjs --only=tools >/dev/null && cp dist/tools/train-main.cjs dist/tools/train-main.cjs.map "$BIN/")
}

data_for_gans() {
  if [ -f "$PACKED/meta.json" ] && grep -q '"complete": true' "$PACKED/meta.json"; then echo "$PACKED"; else echo "$FOLDER"; fi
}

# A trainer left running by an earlier pipeline (e.g. after `stop` of the pipeline only): wait for it,
# never run two trainers on one run folder.
wait_for_trainer() {
  local pid
  pid="$(cat "$RUNS/current-trainer.pid" 2>/dev/null || true)"
  while [ -n "$pid" ] && ps -o stat= -p "$pid" 2>/dev/null | grep -qv '^Z'; do sleep 20; done
}

train() { # name, then train-main options
  local name="$1"; shift
  mkdir -p "$RUNS/$name"
  wait_for_trainer
  echo "$(date -u +%FT%TZ) start $name $*" >>"$LOG"
  NODE_PATH="$ROOT/node_modules" nice -n 19 node "$BIN/train-main.cjs" --run "$RUNS/$name" --resume \
    --threads "$THREADS" --checkpoint-minutes "$CKPT_MINUTES" --data-cache "$CACHE/utkface-orig-128" "$@" >>"$RUNS/$name/train.log" 2>&1 &
  echo $! >"$RUNS/current-trainer.pid"
  local rc=0
  wait $! || rc=$?
  echo "$(date -u +%FT%TZ) end $name rc=$rc" >>"$LOG"
  return 0
}

completed() { [ -f "$RUNS/$1/meta.json" ] && grep -q '"completed": true' "$RUNS/$1/meta.json"; }

pipeline() {
  wait_for_trainer
  # One session (<= CLS_MAX_MINUTES) is enough for a teacher (packed data when complete).  
  if [ ! -f "$RUNS/age-classifier/export/age-classifier.bin" ]; then
    train age-classifier --kind age-classifier --data "$(data_for_gans)" --steps "$CLS_STEPS" --resolution 64 --batch 32 \
      --sample-every 250 --log-every 10 --max-minutes "$CLS_MAX_MINUTES" --export "$RUNS/age-classifier/export"
  fi
  while ! { completed cyclegan && completed age-cgan; }; do
    local data; data="$(data_for_gans)"
    if ! completed cyclegan; then
      train cyclegan --kind cyclegan --data "$data" --steps "$CYC_STEPS" --resolution "$CYC_RES" --batch 1 \
        --classifier "$RUNS/age-classifier/export" --sample-every 200 --log-every 20 \
        --max-minutes "$SLICE_MINUTES" --export "$RUNS/cyclegan/export"
    fi
    if ! completed age-cgan; then
      train age-cgan --kind age-cgan --data "$data" --steps "$ACGAN_STEPS" --resolution "$ACGAN_RES" --batch 8 \
        --sample-every 200 --log-every 20 --max-minutes "$SLICE_MINUTES" --export "$RUNS/age-cgan/export"
    fi
    [ -f "$RUNS/stop" ] && break
  done
  echo "$(date -u +%FT%TZ) pipeline finished" >>"$LOG"
}

# Everything below runs inside main, so bash has parsed the whole file before acting on it (editing
# this script while a pipeline runs cannot derail that pipeline).
main() {
case "${1:-status}" in
  start)
    mkdir -p "$RUNS"
    rm -f "$RUNS/stop"
    if [ -f "$PIDFILE" ] && ps -o stat= -p "$(cat "$PIDFILE")" 2>/dev/null | grep -qv '^Z'; then echo "already running (pid $(cat "$PIDFILE"))"; exit 0; fi
    bundle
    nohup nice -n 19 "$0" pipeline >>"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    echo "pipeline started (pid $!); log: $LOG; runs: $RUNS"
    ;;
  pipeline) pipeline ;;
  status)
    for m in "$RUNS"/*/meta.json; do [ -f "$m" ] && echo "$m: $(tr -d '\n' <"$m" | cut -c1-400)"; done
    tail -n 5 "$LOG" 2>/dev/null || true
    ;;
  stop)
    touch "$RUNS/stop"
    [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null || true
    [ -f "$RUNS/current-trainer.pid" ] && kill -TERM "$(cat "$RUNS/current-trainer.pid")" 2>/dev/null || true
    echo "stop requested; the trainer checkpoints before exiting"
    ;;
  *) echo "usage: $0 start|status|stop" >&2; exit 64 ;;
esac
}

main "$@"
exit
