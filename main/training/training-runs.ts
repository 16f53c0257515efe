/**
 * Main-side supervisor of fine-tuning runs. Each run gets its own forked training child
 * (main/engine/ops/train-child.ts), so the engine process stays free for previews. Main resolves the library
 * (base model folder, photos, landmarks), asks the engine for aligned crops, and mirrors the
 * child's progress, sample grids and final model into the library and the event bus.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { CoreContext } from '../core/context';
import { runDto } from '../core/dto';
import { StudioFailure } from '../core/router';
import type { Library } from '../library/library';
import type { JsonObject, PhotoDetail } from '../library/types';
import { checkIdentityConsistency, type IdentityConsistency } from './identity-consistency';
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
}

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

  /** Creates the run and starts it in the background; resolves with its id at once. */
  async startFinetune(req: FinetuneStart): Promise<{ runId: number; check: IdentityConsistency }> {
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
        skipped: check.skipped as unknown as JsonObject[],
        flagged: check.faces.filter((f) => f.flagged).map((f) => f.photoId),
      },
    });
    this.emitState(lib, run.id);
    const entry: Active = { runId: run.id, child: null, cancelRequested: false, kind: 'fine-tune', done: Promise.resolve() };
    this.active.set(run.id, entry);
    entry.done = this.execute(lib, entry, req, photos, check, name).finally(() => this.active.delete(run.id));
    return { runId: run.id, check };
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

  private async execute(lib: Library, a: Active, req: FinetuneStart, photos: PhotoDetail[], check: IdentityConsistency, name: string): Promise<void> {
    const runId = a.runId;
    const runDir = join(lib.dir, 'training', `run-${runId}`);
    const exportDir = join(runDir, 'export');
    try {
      await this.prepareData(lib, join(runDir, 'data'), photos, check);
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
