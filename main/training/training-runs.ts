/**
 * Main-side supervisor of fine-tuning runs. Each run gets its own forked training child
 * (main/engine/ops/train-child.ts), so the engine process stays free for previews. Main resolves the library
 * (base model folder, photos, landmarks), asks the engine for aligned crops, and mirrors the
 * child's progress, sample grids and final model into the library and the event bus.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CoreContext } from '../core/context';
import { runDto } from '../core/dto';
import { StudioFailure } from '../core/router';
import type { Library } from '../library/library';
import type { JsonObject, PhotoDetail } from '../library/types';
import type { IdentityCheck as IdentityCheckResult } from '../../preload/schemas/training';
import { SAME_PERSON_DISTANCE, checkIdentityConsistency, type IdentityConsistency } from './identity-consistency';
import type { FinetuneJob, FromWorker, ToWorker } from './train-protocol';

/** Used when the face has no age estimate (same fallback as aging previews). */
const FALLBACK_AGE = 35;
/** Crops are stored at 128 px; the dataset resizes them to the base model's resolution. */
const CROP_SIZE = 128;

export interface FinetuneStart {
  baseModelId: number;
  photoIds: number[];
  steps: number;
  name?: string;
  identityWeight?: number;
  batch?: number;
  sampleEvery?: number;
  /** Recipe knobs of models/train/finetune.ts (its FINETUNE_DEFAULTS when absent). */
  descriptorWeight?: number;
  lowResShare?: number;
  freezeEncoder?: boolean;
}

/** Faces measured by finetune:identityCheck (each: 2 models x 3 ages through the engine). */
const IDENTITY_CHECK_MAX_FACES = 20;

/** Target ages of finetune:identityCheck: across the slider, away from most sources. */
export const IDENTITY_CHECK_AGES: readonly number[] = [20, 45, 70];

export interface TrainingRunsOptions {
  /** The bundled train-worker.cjs; null: training is not available in this host. */
  workerPath: string | null;
  backend?: FinetuneJob['backend'];
  threads?: number;
}

interface Active {
  runId: number;
  child: ChildProcess | null;
  cancelRequested: boolean;
  kind: 'fine-tune';
  done: Promise<void>;
}

/** A complete checkpoint (models/train/checkpoints.ts layout: step-N/run-state.json) in a run folder. */
async function hasCheckpoint(workDir: string): Promise<boolean> {
  const names = await fs.readdir(join(workDir, 'checkpoints')).catch(() => [] as string[]);
  for (const n of names) {
    if (/^step-\d+$/.test(n) && (await fs.stat(join(workDir, 'checkpoints', n, 'run-state.json')).catch(() => null))) return true;
  }
  return false;
}

export class TrainingRuns {
  private readonly active = new Map<number, Active>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly options: TrainingRunsOptions,
  ) {}

  /** Identity check of photos before a fine-tune (largest usable face per photo). */
  async checkPhotos(photoIds: number[]): Promise<IdentityConsistency> {
    const lib = await this.ctx.library();
    return checkIdentityConsistency(photoIds.map((id) => lib.getPhoto(id)));
  }

  /**
   * Creates the run and starts it in the background; resolves with its id at once. resumeFrom:
   * an earlier, unfinished run of the same job whose checkpoint this run continues from.
   */
  async startFinetune(req: FinetuneStart, resumeFrom?: number): Promise<{ runId: number; check: IdentityConsistency }> {
    if (!this.options.workerPath) throw new StudioFailure('not-available-yet', 'training is not available in this host (no training worker)');
    const lib = await this.ctx.library();
    const base = lib.getModel(req.baseModelId);
    if (base.kind !== 'cyclegan') throw new StudioFailure('unsupported', `fine-tuning ${base.kind} models is not available yet (only cyclegan)`);
    const photos = req.photoIds.map((id) => lib.getPhoto(id));
    const check = checkIdentityConsistency(photos);
    if (check.faces.length === 0) throw new StudioFailure('no-face', 'none of the chosen photos has a usable face');
    const name = req.name ?? `${base.name} (fine-tuned)`;
    const run = lib.createRun({
      kind: 'cyclegan',
      parentModelId: base.id,
      projectId: base.projectId ?? null,
      totalSteps: req.steps,
      config: {
        fineTune: true,
        name,
        photoIds: req.photoIds,
        steps: req.steps,
        identityWeight: req.identityWeight ?? 1,
        ...(req.descriptorWeight === undefined ? {} : { descriptorWeight: req.descriptorWeight }),
        ...(req.lowResShare === undefined ? {} : { lowResShare: req.lowResShare }),
        ...(req.freezeEncoder === undefined ? {} : { freezeEncoder: req.freezeEncoder }),
        batch: req.batch ?? 1,
        sampleEvery: req.sampleEvery ?? null,
        skipped: check.skipped as unknown as JsonObject[],
        flagged: check.faces.filter((f) => f.flagged).map((f) => f.photoId),
        ...(resumeFrom === undefined ? {} : { resumedFrom: resumeFrom }),
      },
    });
    this.emitState(lib, run.id);
    const entry: Active = { runId: run.id, child: null, cancelRequested: false, kind: 'fine-tune', done: Promise.resolve() };
    this.active.set(run.id, entry);
    entry.done = this.execute(lib, entry, req, photos, check, name, resumeFrom).finally(() => this.active.delete(run.id));
    return { runId: run.id, check };
  }

  /**
   * The newest unfinished fine-tune of this base on exactly these photos that left a checkpoint
   * (cancelled, failed or interrupted), or null.
   */
  async findResumable(baseModelId: number, photoIds: number[]): Promise<number | null> {
    const lib = await this.ctx.library();
    const key = [...photoIds].sort((a, b) => a - b).join(',');
    const runs = lib
      .listRuns()
      .filter((r) => r.config.fineTune === true && r.parentModelId === baseModelId && r.status !== 'completed' && !this.active.has(r.id))
      .filter((r) => Array.isArray(r.config.photoIds) && [...(r.config.photoIds as number[])].sort((a, b) => a - b).join(',') === key)
      .sort((a, b) => b.id - a.id);
    for (const r of runs) {
      if (await hasCheckpoint(join(lib.dir, 'training', `run-${r.id}`, 'work'))) return r.id;
    }
    return null;
  }

  /**
   * finetune:identityCheck: for the photos the model was fine-tuned on, the descriptor distance
   * between each face and its aged outputs at IDENTITY_CHECK_AGES, for the base (the model's
   * parent) and the fine-tuned model. Measured in the engine (ops/identity.ts).
   */
  async identityCheck(modelId: number): Promise<IdentityCheckResult> {
    const lib = await this.ctx.library();
    const model = lib.getModel(modelId);
    if (model.parentId === null) throw new StudioFailure('unsupported', `model ${modelId} has no base model to compare with (it is not a fine-tuned version)`);
    const run = lib.listRuns().filter((r) => r.outputModelId === modelId).sort((a, b) => b.id - a.id)[0];
    const photoIds = Array.isArray(run?.config.photoIds) ? (run.config.photoIds as number[]) : [];
    if (!run || photoIds.length === 0) throw new StudioFailure('not-found', `no fine-tuning run with photos produced model ${modelId}`);
    const photos: PhotoDetail[] = [];
    for (const id of photoIds) {
      try {
        photos.push(lib.getPhoto(id));
      } catch {
        // Deleted since the fine-tune: nothing to measure.
      }
    }
    const check = checkIdentityConsistency(photos);
    if (check.faces.length === 0) throw new StudioFailure('no-face', 'none of the fine-tuning photos has a usable face any more');
    const modelDirs = [lib.modelWeightsPath(model.parentId), lib.modelWeightsPath(modelId)];
    const rows: IdentityCheckResult['photos'] = [];
    for (const f of check.faces.slice(0, IDENTITY_CHECK_MAX_FACES)) {
      const photo = photos.find((p) => p.id === f.photoId) as PhotoDetail;
      const face = photo.faces[f.faceIndex];
      const r = await this.ctx.supervisor.request('identityDistances', {
        path: lib.photoFilePath(photo.id),
        landmarks: face.landmarks,
        sourceAge: photo.labelAge ?? face.age ?? FALLBACK_AGE,
        ages: [...IDENTITY_CHECK_AGES],
        modelDirs,
      });
      if (!r.ok) throw new StudioFailure(r.error.code === 'cancelled' ? 'cancelled' : 'internal', `measuring photo ${photo.id}: ${r.error.message}`);
      const [base, tuned] = r.value.distances;
      IDENTITY_CHECK_AGES.forEach((age, k) =>
        rows.push({ photoId: String(photo.id), targetAge: age, distanceBase: base[k], distanceFineTuned: tuned[k], passed: tuned[k] <= SAME_PERSON_DISTANCE }),
      );
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const result: IdentityCheckResult = {
      modelId: String(modelId),
      baseModelId: String(model.parentId),
      threshold: SAME_PERSON_DISTANCE,
      photos: rows,
      meanDistanceBase: mean(rows.map((r) => r.distanceBase)),
      meanDistanceFineTuned: mean(rows.map((r) => r.distanceFineTuned)),
    };
    this.ctx.events.emit('finetune:identityCheck', { ...result, runId: String(run.id) });
    return result;
  }

  /** Resolves when the run's child has finished and the library is updated (tests, shutdown). */
  async settled(runId: number): Promise<void> {
    await this.active.get(runId)?.done;
  }

  pause(runId: number): string {
    return this.control(runId, 'pause', 'paused');
  }

  resume(runId: number): string {
    return this.control(runId, 'resume', 'running');
  }

  async cancel(runId: number): Promise<string> {
    const a = this.active.get(runId);
    const lib = await this.ctx.library();
    if (!a) return lib.getRun(runId).status;
    a.cancelRequested = true;
    // The child checkpoints after the current step and answers 'done' with cancelled.
    this.send(a, { type: 'cancel' });
    return 'cancelled';
  }

  /** Stops every run (studio closing): children are cancelled and awaited. */
  async closeAll(): Promise<void> {
    for (const a of this.active.values()) {
      a.cancelRequested = true;
      this.send(a, { type: 'cancel' });
      // A step at 256 px can take a while; do not hold the studio's exit hostage to it.
      setTimeout(() => a.child?.kill(), 15_000).unref();
    }
    await Promise.all([...this.active.values()].map((a) => a.done.catch(() => undefined)));
  }

  /** The shipped frozen age classifier (assets/ beside dist/, where the worker is), if present. */
  private classifierDir(): string | null {
    if (!this.options.workerPath) return null;
    const dir = join(dirname(this.options.workerPath), '..', 'assets', 'models', 'age-classifier');
    return existsSync(join(dir, 'age-classifier-config.json')) ? dir : null;
  }

  private control(runId: number, msg: 'pause' | 'resume', state: 'paused' | 'running'): string {
    const a = this.active.get(runId);
    if (!a || !a.child) throw new StudioFailure('conflict', `run ${runId} is not running`);
    this.send(a, { type: msg });
    void this.ctx.library().then((lib) => {
      if (lib.getRun(runId).status !== state) lib.setRunStatus(runId, state);
      this.emitState(lib, runId);
    });
    return state;
  }

  private send(a: Active, msg: ToWorker): void {
    if (a.child?.connected) a.child.send(msg);
  }

  private emitState(lib: Library, runId: number): void {
    this.ctx.events.emit('training:runState', runDto(lib.getRun(runId)));
  }

  private finish(lib: Library, runId: number, status: 'completed' | 'failed' | 'cancelled', error?: string): void {
    const run = lib.getRun(runId);
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return;
    lib.setRunStatus(runId, status, error);
    this.emitState(lib, runId);
  }

  /** Aligned 128 px crops of the usable faces + labels.csv (file,age) in dataDir. */
  private async prepareData(lib: Library, dataDir: string, photos: PhotoDetail[], check: IdentityConsistency): Promise<number> {
    await fs.mkdir(dataDir, { recursive: true });
    const rows = ['file,age'];
    for (const f of check.faces) {
      const photo = photos.find((p) => p.id === f.photoId) as PhotoDetail;
      const face = photo.faces[f.faceIndex];
      const r = await this.ctx.supervisor.request('faceCrop', { path: lib.photoFilePath(photo.id), landmarks: face.landmarks, size: CROP_SIZE });
      if (!r.ok) throw new StudioFailure(r.error.code === 'cancelled' ? 'cancelled' : 'internal', `aligning photo ${photo.id}: ${r.error.message}`);
      const file = `photo-${photo.id}.png`;
      await fs.writeFile(join(dataDir, file), r.value.bytes);
      rows.push(`${file},${Math.round(photo.labelAge ?? face.age ?? FALLBACK_AGE)}`);
    }
    await fs.writeFile(join(dataDir, 'labels.csv'), rows.join('\n') + '\n');
    return rows.length - 1;
  }

  private async execute(lib: Library, a: Active, req: FinetuneStart, photos: PhotoDetail[], check: IdentityConsistency, name: string, resumeFrom?: number): Promise<void> {
    const runId = a.runId;
    const runDir = join(lib.dir, 'training', `run-${runId}`);
    const exportDir = join(runDir, 'export');
    try {
      await this.prepareData(lib, join(runDir, 'data'), photos, check);
      if (resumeFrom !== undefined) {
        // The child resumes from the newest checkpoint it finds in its work folder.
        await fs.cp(join(lib.dir, 'training', `run-${resumeFrom}`, 'work'), join(runDir, 'work'), { recursive: true });
      }
      if (a.cancelRequested) return this.finish(lib, runId, 'cancelled');
      const job: FinetuneJob = {
        baseDir: lib.modelWeightsPath(req.baseModelId),
        dataDir: join(runDir, 'data'),
        runDir: join(runDir, 'work'),
        exportDir,
        steps: req.steps,
        batch: req.batch ?? 1,
        sampleEvery: req.sampleEvery ?? Math.max(1, Math.round(req.steps / 5)),
        seed: 1,
        identityWeight: req.identityWeight ?? 1,
        descriptorWeight: req.descriptorWeight,
        lowResShare: req.lowResShare,
        freezeEncoder: req.freezeEncoder,
        classifierDir: this.classifierDir(),
        backend: this.options.backend,
        threads: this.options.threads,
      };
      lib.setRunStatus(runId, 'running');
      this.emitState(lib, runId);
      const outcome = await this.runChild(lib, a, job);
      if (outcome.type === 'error') return this.finish(lib, runId, 'failed', outcome.message);
      if (outcome.completed && outcome.exported) {
        const base = lib.getModel(req.baseModelId);
        const model = await lib.registerModel({
          kind: base.kind,
          name,
          isBase: false,
          parentId: base.id,
          projectId: base.projectId ?? null,
          weightsDir: outcome.exported,
          move: true,
          config: { ...base.config, fineTunedFrom: base.id, steps: outcome.step },
          metrics: { stepsPerSec: outcome.stepsPerSecond, trainSeconds: outcome.trainSeconds, photos: check.faces.length },
        });
        lib.setRunOutputModel(runId, model.id);
        this.ctx.events.emit('library:changed', { kind: 'models', ids: [String(model.id)] });
        return this.finish(lib, runId, 'completed');
      }
      return this.finish(lib, runId, a.cancelRequested || outcome.cancelled ? 'cancelled' : 'failed', a.cancelRequested || outcome.cancelled ? undefined : 'stopped before completing');
    } catch (err) {
      return this.finish(lib, runId, a.cancelRequested ? 'cancelled' : 'failed', a.cancelRequested ? undefined : err instanceof Error ? err.message : String(err));
    }
  }

  private runChild(lib: Library, a: Active, job: FinetuneJob): Promise<Extract<FromWorker, { type: 'done' | 'error' }>> {
    return new Promise((resolve) => {
      const child = fork(this.options.workerPath as string, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
      a.child = child;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      let outcome: Extract<FromWorker, { type: 'done' | 'error' }> | null = null;
      const pending: Promise<unknown>[] = [];
      child.on('message', (msg: FromWorker) => {
        if (msg.type === 'done' || msg.type === 'error') outcome = msg;
        else if (msg.type === 'progress') this.onProgress(lib, a.runId, msg.progress);
        else if (msg.type === 'sample') pending.push(this.onSample(lib, a.runId, msg.step, msg.file));
      });
      child.on('exit', (code, signal) => {
        void Promise.allSettled(pending).then(() =>
          resolve(outcome ?? { type: 'error', message: `training process exited (${signal ?? code}) ${stderr.trim().split('\n').at(-1) ?? ''}`.trim() }),
        );
      });
      if (a.cancelRequested) child.kill();
      else child.send({ type: 'start', job } satisfies ToWorker);
    });
  }

  private onProgress(lib: Library, runId: number, p: Extract<FromWorker, { type: 'progress' }>['progress']): void {
    const run = lib.getRun(runId);
    if (p.phase === 'training' && run.status === 'running' && Object.keys(p.losses).length > 0) {
      lib.recordRunProgress(runId, p.step, [{ step: p.step, values: { ...p.losses, stepsPerSec: p.stepsPerSecond } }]);
    }
    this.ctx.events.emit('training:progress', {
      runId: String(runId),
      kind: 'fine-tune',
      state: run.status === 'interrupted' ? 'failed' : run.status,
      step: p.step,
      steps: p.totalSteps,
      losses: p.losses,
      stepsPerSec: p.stepsPerSecond,
      etaSec: p.etaSeconds,
    });
  }

  private async onSample(lib: Library, runId: number, step: number, file: string): Promise<void> {
    const bytes = await fs.readFile(file);
    if (lib.listRunSamples(runId).some((s) => s.step === step)) return;
    await lib.addRunSample(runId, step, bytes);
    this.ctx.events.emit('training:sampleGrid', { runId: String(runId), step });
  }
}
