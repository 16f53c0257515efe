/**
 * The generic, resumable training loop shared by every trainer (Age-cGAN, CycleGAN, the age
 * classifier). It owns everything that is not the recipe of one method:
 *   <run>/checkpoints/step-N/   atomic checkpoints, the newest `keepCheckpoints` kept (checkpoints.ts)
 *   <run>/samples/step-N.png    sample grids of fixed faces
 *   <run>/metrics.jsonl         one JSON line per loss read ({type:'loss'}) or sample ({type:'sample'})
 *   <run>/meta.json             {currentStep, totalSteps, completed, lastUpdated, ...} for dashboards
 *                               (the shape tfjs-examples/mnist-acgan's viewer reads)
 * Batches are a pure function of (seed, step), trainers save their optimizer state, so a run
 * stopped at any checkpoint and resumed continues exactly as if it had never stopped.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FaceBatch, LoopTrainer } from '../core/trainer';
import { writeFileAtomic } from '../core/atomic-write';
import {
  latestCheckpoint,
  readRunState,
  removeStaleTemps,
  writeCheckpoint,
  type CheckpointRef,
  type RunState,
} from '../core/checkpoint';
import { writeSampleGridPng } from './sample-png';
import { TrainingController } from './training-control';


/** What the loop needs from a dataset (FaceDataset implements it). */
export interface BatchSource {
  batch(step: number, batchSize: number, resolution: number): Promise<FaceBatch>;
  fixedBatch(n: number, resolution: number): Promise<FaceBatch>;
}

export type TrainingPhase = 'starting' | 'training' | 'paused' | 'checkpoint' | 'sample' | 'evaluate' | 'done';

export interface TrainingProgress {
  kind: string;
  phase: TrainingPhase;
  step: number;
  totalSteps: number;
  /** Over the recent steps of this session; 0 until two steps are done. */
  stepsPerSecond: number;
  etaSeconds: number | null;
  trainSeconds: number;
  /** Last values read (every logEvery steps). */
  losses: Record<string, number>;
  lastCheckpointStep: number | null;
}

export interface RunTrainingOptions<T extends LoopTrainer> {
  runDir: string;
  /** A fresh trainer (used when there is nothing to resume). */
  create: () => Promise<T>;
  /** A trainer restored from a checkpoint folder written by its own save(). */
  load: (checkpointDir: string) => Promise<T>;
  data: BatchSource;
  /** Faces for the sample grids (default: data). */
  sampleData?: BatchSource;
  totalSteps: number;
  batchSize: number;
  seed?: number;
  /** Continue from the newest complete checkpoint; without it an existing run is an error. */
  resume?: boolean;
  checkpointEverySteps?: number;
  /** Wall-clock checkpoint period (default 300 s); both triggers may be set. */
  checkpointEverySeconds?: number;
  keepCheckpoints?: number;
  /** Steps between sample grids (0: only at the end). Default 500. */
  sampleEvery?: number;
  sampleFaces?: number;
  /** Losses are read (a device sync) every this many steps. Default 10. */
  logEvery?: number;
  /** Extra metrics (e.g. validation accuracy), computed at checkpoints every `evaluateEvery` steps and at the end. */
  evaluate?: (trainer: T) => Promise<Record<string, number>>;
  evaluateEvery?: number;
  /** Stop (with a checkpoint) after this many seconds of this session: time-sliced runs. */
  maxSeconds?: number;
  /** Save a checkpoint when cancelled (default true), so no finished step is lost. */
  checkpointOnCancel?: boolean;
  control?: TrainingController;
  onProgress?: (p: TrainingProgress) => void;
  /** Called once a sample grid PNG is written (the 'sample' progress comes before the write). */
  onSample?: (step: number, file: string) => void;
  /** Called after every step with the trainer (tests use it to count tensors). */
  onStep?: (trainer: T, step: number) => void;
  now?: () => number;
}

export interface RunTrainingResult {
  step: number;
  totalSteps: number;
  completed: boolean;
  cancelled: boolean;
  /** The session's time budget (maxSeconds) ran out before totalSteps. */
  timedOut: boolean;
  resumedFrom: number | null;
  stepsPerSecond: number;
  trainSeconds: number;
  losses: Record<string, number>;
  metrics: Record<string, number>;
  lastCheckpoint: CheckpointRef | null;
}

async function readJsonl(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut short by a kill: drop it
    }
  }
  return out;
}

/** Keeps only metric lines up to `step`, so a resumed run does not log the replayed steps twice. */
async function truncateMetrics(file: string, step: number): Promise<void> {
  const rows = (await readJsonl(file)).filter((r) => typeof r.step === 'number' && r.step <= step);
  await writeFileAtomic(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}

/** Steps per second over a sliding window of step end times. */
class RateMeter {
  private readonly times: number[] = [];
  constructor(private readonly window = 20) {}
  tick(t: number): void {
    this.times.push(t);
    if (this.times.length > this.window) this.times.shift();
  }
  /** Forget the window (after a pause, so idle time does not count). */
  reset(): void {
    this.times.length = 0;
  }
  rate(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const dt = (this.times[n - 1] - this.times[0]) / 1000;
    return dt > 0 ? (n - 1) / dt : 0;
  }
}

/** Resolves after pending I/O callbacks (setImmediate runs after the poll phase). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function runTraining<T extends LoopTrainer>(opts: RunTrainingOptions<T>): Promise<RunTrainingResult> {
  const now = opts.now ?? (() => Date.now());
  const control = opts.control ?? new TrainingController();
  const seed = opts.seed ?? 1;
  const logEvery = Math.max(1, opts.logEvery ?? 10);
  const sampleEvery = opts.sampleEvery ?? 500;
  const ckptSteps = opts.checkpointEverySteps ?? 0;
  const ckptMs = (opts.checkpointEverySeconds ?? 300) * 1000;
  const keep = opts.keepCheckpoints ?? 2;
  const metricsFile = path.join(opts.runDir, 'metrics.jsonl');
  await fs.mkdir(path.join(opts.runDir, 'samples'), { recursive: true });
  await removeStaleTemps(opts.runDir);

  const latest = await latestCheckpoint(opts.runDir);
  if (latest && !opts.resume) {
    throw new Error(`${opts.runDir} already holds a run (checkpoint at step ${latest.step}); pass --resume to continue it or choose a new run folder`);
  }
  let trainer: T;
  let trainSeconds = 0;
  let sessionSeconds = 0;
  let resumedFrom: number | null = null;
  if (latest) {
    const state = await readRunState(latest.dir);
    trainer = await opts.load(latest.dir);
    if (trainer.step !== state.step) {
      trainer.dispose();
      throw new Error(`checkpoint ${latest.dir} restored step ${trainer.step} but its run state says ${state.step}`);
    }
    trainSeconds = state.trainSeconds;
    resumedFrom = state.step;
    await truncateMetrics(metricsFile, state.step);
  } else {
    trainer = await opts.create();
    await writeFileAtomic(metricsFile, '');
  }

  let losses: Record<string, number> = {};
  let metrics: Record<string, number> = {};
  let lastCheckpoint: CheckpointRef | null = latest;
  const rate = new RateMeter();
  const sessionStartStep = trainer.step;
  let phase: TrainingPhase = 'starting';

  const progress = (): TrainingProgress => {
    const sps = rate.rate();
    const left = opts.totalSteps - trainer.step;
    return {
      kind: trainer.kind,
      phase,
      step: trainer.step,
      totalSteps: opts.totalSteps,
      stepsPerSecond: sps,
      etaSeconds: left <= 0 ? 0 : sps > 0 ? left / sps : null,
      trainSeconds,
      losses,
      lastCheckpointStep: lastCheckpoint?.step ?? null,
    };
  };
  const emit = (p: TrainingPhase) => {
    phase = p;
    opts.onProgress?.(progress());
  };
  const writeMeta = async () => {
    const p = progress();
    await writeFileAtomic(
      path.join(opts.runDir, 'meta.json'),
      JSON.stringify({
        kind: trainer.kind,
        currentStep: trainer.step,
        totalSteps: opts.totalSteps,
        completed: trainer.step >= opts.totalSteps,
        lastUpdated: new Date(now()).toISOString(),
        stepsPerSecond: p.stepsPerSecond,
        etaSeconds: p.etaSeconds,
        trainHours: trainSeconds / 3600,
        lastCheckpointStep: lastCheckpoint?.step ?? null,
        losses,
        metrics,
      }, null, 1),
    );
  };
  const appendMetric = (row: Record<string, unknown>) => fs.appendFile(metricsFile, JSON.stringify(row) + '\n');

  // Sample faces are fetched at the trainer's resolution of the moment (progressive schedules).
  let sampleBatch: FaceBatch | null = null;
  const writeSample = async () => {
    emit('sample');
    if (sampleBatch && sampleBatch.images.shape[1] !== trainer.resolution) {
      sampleBatch.images.dispose();
      sampleBatch = null;
    }
    sampleBatch ??= await (opts.sampleData ?? opts.data).fixedBatch(opts.sampleFaces ?? 4, trainer.resolution);
    const grid = await trainer.sampleGrid(sampleBatch);
    const name = `step-${String(trainer.step).padStart(9, '0')}.png`;
    await writeSampleGridPng(path.join(opts.runDir, 'samples', name), grid);
    await appendMetric({ type: 'sample', step: trainer.step, file: `samples/${name}`, columns: grid.columns });
    opts.onSample?.(trainer.step, path.join(opts.runDir, 'samples', name));
  };
  let lastEvalStep = -1;
  const checkpoint = async (final: boolean) => {
    if (opts.evaluate && (final || !opts.evaluateEvery || trainer.step - lastEvalStep >= opts.evaluateEvery)) {
      emit('evaluate');
      metrics = await opts.evaluate(trainer);
      lastEvalStep = trainer.step;
      await appendMetric({ type: 'eval', step: trainer.step, metrics });
    }
    emit('checkpoint');
    const state: RunState = {
      format: 'face-age-run-state',
      version: 1,
      kind: trainer.kind,
      step: trainer.step,
      totalSteps: opts.totalSteps,
      batchSize: opts.batchSize,
      seed,
      trainSeconds,
      savedAt: new Date(now()).toISOString(),
    };
    const completed = trainer.step >= opts.totalSteps;
    lastCheckpoint = await writeCheckpoint(
      opts.runDir,
      state,
      (dir) => trainer.save(dir, { metrics: { ...metrics, ...losses }, totalSteps: opts.totalSteps, completed }),
      keep,
    );
    await writeMeta();
  };

  let cancelled = false;
  let timedOut = false;
  const sessionStart = now();
  let lastCkptTime = now();
  let lastCkptStep = trainer.step;
  let next: { res: number; batch: Promise<FaceBatch> } | null = null;
  try {
    emit('training');
    await writeMeta();
    while (trainer.step < opts.totalSteps) {
      // Let event-loop tasks in once per step: pause/cancel arrive as IPC messages or signals,
      // and a step whose awaits all resolve as microtasks (no loss read, no file write) would
      // otherwise hold them off until the next logEvery step (10 steps, 21 s measured).
      await yieldToEventLoop();
      if (control.paused) {
        emit('paused');
        await writeMeta();
        await control.waitWhilePaused();
        rate.reset();
        emit('training');
      }
      if (control.cancelled) {
        cancelled = true;
        break;
      }
      if (opts.maxSeconds !== undefined && now() - sessionStart >= opts.maxSeconds * 1000) {
        timedOut = true;
        break;
      }
      const t0 = now();
      const res = trainer.resolution;
      if (next && next.res !== res) {
        (await next.batch).images.dispose();
        next = null;
      }
      const batch = await (next?.batch ?? opts.data.batch(trainer.step, opts.batchSize, res));
      next = null;
      const stepIndex = trainer.step;
      const read = (stepIndex + 1) % logEvery === 0 || stepIndex + 1 === opts.totalSteps;
      // Prefetch the next batch while this step computes (file reads overlap the math's awaits).
      if (stepIndex + 1 < opts.totalSteps) next = { res, batch: opts.data.batch(stepIndex + 1, opts.batchSize, res) };
      let out: Record<string, number>;
      try {
        out = await trainer.trainStep(batch, read);
      } finally {
        batch.images.dispose();
      }
      if (trainer.step !== stepIndex + 1) throw new Error(`trainer ${trainer.kind} did not advance its step counter`);
      const t1 = now();
      trainSeconds += (t1 - t0) / 1000;
      sessionSeconds += (t1 - t0) / 1000;
      rate.tick(t1);
      opts.onStep?.(trainer, trainer.step);
      if (read) {
        losses = out;
        await appendMetric({ type: 'loss', step: trainer.step, time: new Date(t1).toISOString(), stepsPerSecond: rate.rate(), losses });
        emit('training');
      }
      if (sampleEvery > 0 && trainer.step % sampleEvery === 0) await writeSample();
      const due = (ckptSteps > 0 && trainer.step - lastCkptStep >= ckptSteps) || now() - lastCkptTime >= ckptMs;
      if (due && trainer.step < opts.totalSteps) {
        await checkpoint(false);
        lastCkptTime = now();
        lastCkptStep = trainer.step;
        emit('training');
      } else if (read) {
        await writeMeta();
      }
    }
    const completed = trainer.step >= opts.totalSteps;
    if (completed && (sampleEvery === 0 || trainer.step % sampleEvery !== 0)) await writeSample();
    if (completed || (opts.checkpointOnCancel ?? true)) {
      if (trainer.step !== lastCheckpoint?.step || completed) await checkpoint(completed);
    }
    emit('done');
    return {
      step: trainer.step,
      totalSteps: opts.totalSteps,
      completed,
      cancelled,
      timedOut,
      resumedFrom,
      stepsPerSecond: sessionSeconds > 0 ? (trainer.step - sessionStartStep) / sessionSeconds : 0,
      trainSeconds,
      losses,
      metrics,
      lastCheckpoint,
    };
  } finally {
    if (next) await next.batch.then((b) => b.images.dispose(), () => undefined);
    if (sampleBatch) (sampleBatch as FaceBatch).images.dispose();
    trainer.dispose();
  }
}
