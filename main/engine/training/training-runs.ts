/**
 * Main-side supervisor of fine-tuning runs. Each run gets its own forked training child
 * (main/engine/ops/train-child.ts), so the engine process stays free for previews. Main resolves the library
 * (base model folder, photos, landmarks), asks the engine for aligned crops, and mirrors the
 * child's progress, sample grids and final model into the library and the event bus.
 * A child that dies without a last word (SIGKILL, crash) leaves its run 'interrupted', as the
 * library's recovery does when the studio itself died; resumeInterrupted continues such a run in
 * its own row and folder from the newest checkpoint (run-folder.ts, run-resume.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CoreContext } from '../../core/context';
import { runDto } from '../../core/dto';
import { StudioFailure } from '../../core/router';
import type { Library } from '../../library/library';
import type { JsonObject, PhotoDetail } from '../../library/types';
import type { IdentityCheck as IdentityCheckResult } from '../../../preload/schemas/training';
import { FINETUNE_DEFAULT_STEPS } from '../../../shared/training-defaults';
import { checkIdentityConsistency, type IdentityConsistency } from './identity-consistency';
import { SAME_PERSON_DISTANCE } from '../../../shared/identity';
import { existingPhotos, resumableRequest } from './run-resume';
import { FALLBACK_AGE, countCrops, hasCheckpoint, prepareCrops, forgetChildPid, previousChildAlive, recordChildPid } from './run-folder';
import type { FinetuneJob, FinetuneStart, FromWorker, SettledFinetune, ToWorker } from './train-protocol';



/**
 * Batch and sample-grid interval of a fine-tune whose request leaves them out: batch 1 (that of
 * models/training/finetune.ts FINETUNE_DEFAULTS: a few photos of one person, on CPU) and a grid every
 * fifth of the run, so a short run shows its grid while it trains.
 */
export function finetuneSchedule(req: Pick<FinetuneStart, 'batch' | 'sampleEvery'> & { steps: number }): { batch: number; sampleEvery: number } {
  return { batch: req.batch ?? 1, sampleEvery: req.sampleEvery ?? Math.max(1, Math.round(req.steps / 5)) };
}

/**
 * The losses logged at a run's last logged step (stepsPerSec aside), for its state events: the
 * dashboard's run list shows them as the final losses of a cancelled or finished run.
 */
export function lastRunLosses(lib: Library, runId: number): Record<string, number> {
  // Usually at the run's current step; a run cancelled before it logged that step looks back.
  let series = lib.getRunMetrics(runId, { sinceStep: lib.getRun(runId).step });
  if (series.length === 0) series = lib.getRunMetrics(runId, { maxPoints: 2 });
  const lastStep = Math.max(-1, ...series.map((s) => s.steps.at(-1) ?? -1));
  const losses: Record<string, number> = {};
  for (const s of series) {
    if (s.name !== 'stepsPerSec' && s.steps.at(-1) === lastStep) losses[s.name] = s.values.at(-1) as number;
  }
  return losses;
}

/** The message of a run stopped with keep before it trained a step. */
export const NOTHING_TO_KEEP = 'stopped before its first training step: there was nothing learnt to keep';

/** Faces measured by finetune:identityCheck (each: 2 models x 3 ages through the engine). */
const IDENTITY_CHECK_MAX_FACES = 20;

/** Target ages of finetune:identityCheck: across the slider, away from most sources. */
export const IDENTITY_CHECK_AGES: readonly number[] = [20, 45, 70];

export interface TrainingRunsOptions {
  /** The bundled train-worker.cjs; null: training is not available in this host. */
  workerPath: string | null;
  backend?: FinetuneJob['backend'];
  threads?: number;
  /**
   * The prototype an Age-cGAN base distilled (its fine-tune's teacher term). Absent: the shipped
   * assets/models/prototype beside dist/, where the worker is; null: none.
   */
  teacherDir?: string | null;
}

/** The child's last word, or that it died without one (SIGKILL, crash): resumable. */
type ChildOutcome = Extract<FromWorker, { type: 'done' | 'error' }> | { type: 'exited'; message: string };

interface Prepared {
  photos: PhotoDetail[];
  check: IdentityConsistency;
}

interface Active {
  runId: number;
  child: ChildProcess | null;
  cancelRequested: boolean;
  /** The cancel's choice: the stopped run's latest checkpoint becomes a model version. */
  keep: boolean;
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

  /**
   * Creates the run and starts it in the background; resolves with its id at once. resumeFrom:
   * an earlier, unfinished run of the same job whose checkpoint this run continues from.
   */
  async startFinetune(request: FinetuneStart, resumeFrom?: number): Promise<{ runId: number; check: IdentityConsistency }> {
    if (!this.options.workerPath) throw new StudioFailure('not-available-yet', 'training is not available in this host (no training worker)');
    const lib = await this.ctx.library();
    const base = lib.getModel(request.baseModelId);
    // models/training/finetune.ts has a recipe per trainable kind; the prototype has nothing to train.
    if (base.kind !== 'cyclegan' && base.kind !== 'age-cgan') throw new StudioFailure('unsupported', `fine-tuning ${base.kind} models is not possible (only cyclegan and age-cgan)`);
    const kind = base.kind;
    const req: SettledFinetune = { ...request, steps: request.steps ?? FINETUNE_DEFAULT_STEPS[kind] };
    const photos = req.photoIds.map((id) => lib.getPhoto(id));
    const check = checkIdentityConsistency(photos);
    if (check.faces.length === 0) throw new StudioFailure('no-face', 'none of the chosen photos has a usable face');
    const name = req.name ?? `${base.name} (fine-tuned)`;
    const run = lib.createRun({
      kind,
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
        ...finetuneSchedule(req),
        skipped: check.skipped as unknown as JsonObject[],
        flagged: check.faces.filter((f) => f.flagged).map((f) => f.photoId),
        ...(resumeFrom === undefined ? {} : { resumedFrom: resumeFrom }),
      },
    });
    this.emitState(lib, run.id);
    this.launch(lib, run.id, req, name, { photos, check }, resumeFrom);
    return { runId: run.id, check };
  }

  /**
   * training:resumeInterrupted: continues a fine-tune whose training child or studio died (run
   * 'interrupted', or 'paused' with no child after the studio died) in the same run row and
   * folder, from the newest checkpoint in its work folder: steps go on from there, replayed steps
   * replace their logged losses, and the version is registered once when it completes.
   */
  async resumeInterrupted(runId: number): Promise<{ runId: number }> {
    if (!this.options.workerPath) throw new StudioFailure('not-available-yet', 'training is not available in this host (no training worker)');
    if (this.active.has(runId)) throw new StudioFailure('conflict', `run ${runId} is already running`);
    const lib = await this.ctx.library();
    const { req, name } = resumableRequest(lib, lib.getRun(runId));
    const runDir = join(lib.dir, 'training', `run-${runId}`);
    if (await previousChildAlive(runDir)) throw new StudioFailure('busy', `the previous training process of run ${runId} is still stopping; try again in a few seconds`);
    // The crops of the first session are reused (the photos may have changed since); a session
    // killed before they were all written prepares them again.
    const prepared = (await countCrops(join(runDir, 'data'))) > 0 ? null : await this.recheck(lib, req.photoIds);
    lib.setRunStatus(runId, 'running');
    this.emitState(lib, runId);
    this.launch(lib, runId, req, name, prepared);
    return { runId };
  }

  /** Whether a run is being trained by a child of this studio now. */
  isActive(runId: number): boolean {
    return this.active.has(runId);
  }

  private async recheck(lib: Library, photoIds: number[]): Promise<Prepared> {
    const photos = existingPhotos(lib, photoIds);
    const check = checkIdentityConsistency(photos);
    if (check.faces.length === 0) throw new StudioFailure('no-face', 'none of the run\'s photos has a usable face any more');
    return { photos, check };
  }

  private launch(lib: Library, runId: number, req: SettledFinetune, name: string, prepared: Prepared | null, resumeFrom?: number): void {
    const entry: Active = { runId, child: null, cancelRequested: false, keep: false, kind: 'fine-tune', done: Promise.resolve() };
    this.active.set(runId, entry);
    entry.done = this.execute(lib, entry, req, prepared, name, resumeFrom).finally(() => this.active.delete(runId));
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
    const photos = existingPhotos(lib, photoIds);
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

  /**
   * Stops a run after its current step. keep: its latest checkpoint becomes a model version, as a
   * completed run's export does (named as stopped); otherwise it is discarded.
   */
  async cancel(runId: number, keep = true): Promise<string> {
    const a = this.active.get(runId);
    const lib = await this.ctx.library();
    if (!a) {
      // An interrupted run (or one left paused by a studio that died) is given up for good.
      const status = lib.getRun(runId).status;
      if (status !== 'interrupted' && status !== 'paused') return status;
      // A studio that died may have registered its version already: the run keeps it.
      const registered = this.linkRegisteredVersion(lib, runId);
      const note = registered === null && keep ? 'nothing was kept: no training process was running (resume the run from its checkpoint, then stop it, to keep what it learnt)' : undefined;
      this.finish(lib, runId, 'cancelled', note);
      return 'cancelled';
    }
    a.cancelRequested = true;
    a.keep = keep;
    // The child checkpoints after the current step, exports it if kept, and answers 'done' with cancelled.
    this.send(a, { type: 'cancel', keep });
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

  /** The Age-cGAN fine-tune's teacher (see TrainingRunsOptions.teacherDir), if present. */
  private teacherDir(): string | null {
    if (this.options.teacherDir !== undefined) return this.options.teacherDir;
    if (!this.options.workerPath) return null;
    const dir = join(dirname(this.options.workerPath), '..', 'assets', 'models', 'prototype');
    return existsSync(join(dir, 'meta.json')) ? dir : null;
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
    this.ctx.events.emit('training:runState', runDto(lib.getRun(runId), lastRunLosses(lib, runId)));
  }

  /**
   * The version a run registered before its studio died (before the run recorded it): recorded on
   * the run now. Returns how the run ended (a version of a stopped run marks it cancelled), or null.
   */
  private linkRegisteredVersion(lib: Library, runId: number): 'completed' | 'cancelled' | null {
    const done = lib.listModels().find((m) => m.config.trainingRunId === runId);
    if (!done) return null;
    lib.setRunOutputModel(runId, done.id);
    return typeof done.config.stoppedAtStep === 'number' ? 'cancelled' : 'completed';
  }

  private finish(lib: Library, runId: number, status: 'completed' | 'failed' | 'cancelled' | 'interrupted', error?: string): void {
    const run = lib.getRun(runId);
    if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return;
    // The library has no paused -> interrupted edge (a paused child that dies was running a step
    // no more): through running, as if it had been un-paused first.
    if (status === 'interrupted' && run.status === 'paused') lib.setRunStatus(runId, 'running');
    if (status !== 'interrupted' || run.status !== 'interrupted') lib.setRunStatus(runId, status, error);
    this.emitState(lib, runId);
  }

  private async execute(lib: Library, a: Active, req: SettledFinetune, prepared: Prepared | null, name: string, resumeFrom?: number): Promise<void> {
    const runId = a.runId;
    const runDir = join(lib.dir, 'training', `run-${runId}`);
    const exportDir = join(runDir, 'export');
    try {
      // A studio that died after registering the version but before marking the run ended.
      const registered = this.linkRegisteredVersion(lib, runId);
      if (registered) return this.finish(lib, runId, registered);
      const faces = prepared ? await prepareCrops(this.ctx.supervisor, lib, join(runDir, 'data'), prepared.photos, prepared.check) : await countCrops(join(runDir, 'data'));
      if (resumeFrom !== undefined) {
        // The child resumes from the newest checkpoint it finds in its work folder.
        await fs.cp(join(lib.dir, 'training', `run-${resumeFrom}`, 'work'), join(runDir, 'work'), { recursive: true });
      }
      if (a.cancelRequested) return this.finish(lib, runId, 'cancelled', a.keep ? NOTHING_TO_KEEP : undefined);
      const job: FinetuneJob = {
        baseDir: lib.modelWeightsPath(req.baseModelId),
        dataDir: join(runDir, 'data'),
        runDir: join(runDir, 'work'),
        exportDir,
        steps: req.steps,
        ...finetuneSchedule(req),
        seed: 1,
        identityWeight: req.identityWeight ?? 1,
        descriptorWeight: req.descriptorWeight,
        lowResShare: req.lowResShare,
        freezeEncoder: req.freezeEncoder,
        classifierDir: this.classifierDir(),
        teacherDir: this.teacherDir(),
        backend: this.options.backend,
        threads: this.options.threads,
      };
      // A resumed run is already 'running' (set before its child was launched).
      if (lib.getRun(runId).status !== 'running') lib.setRunStatus(runId, 'running');
      this.emitState(lib, runId);
      const outcome = await this.runChild(lib, a, job, runDir);
      if (outcome.type === 'error') return this.finish(lib, runId, 'failed', outcome.message);
      // Killed or crashed: the run keeps its checkpoints and can be resumed.
      if (outcome.type === 'exited') return this.finish(lib, runId, a.cancelRequested ? 'cancelled' : 'interrupted', a.cancelRequested ? undefined : outcome.message);
      // A completed run, or one stopped with keep after a step: its export becomes the version.
      if (outcome.exported && (outcome.completed || (outcome.cancelled && a.keep))) {
        const stopped = !outcome.completed;
        const base = lib.getModel(req.baseModelId);
        const model = await lib.registerModel({
          kind: base.kind,
          name: stopped ? `${name} (stopped at step ${outcome.step} of ${req.steps})` : name,
          isBase: false,
          parentId: base.id,
          projectId: base.projectId ?? null,
          weightsDir: outcome.exported,
          move: true,
          config: { ...base.config, fineTunedFrom: base.id, steps: outcome.step, trainingRunId: runId, ...(stopped ? { stoppedAtStep: outcome.step } : {}) },
          metrics: { stepsPerSec: outcome.stepsPerSecond, trainSeconds: outcome.trainSeconds, photos: faces },
        });
        lib.setRunOutputModel(runId, model.id);
        this.ctx.events.emit('library:changed', { kind: 'models', ids: [String(model.id)] });
        return this.finish(lib, runId, stopped ? 'cancelled' : 'completed');
      }
      if (a.cancelRequested || outcome.cancelled) return this.finish(lib, runId, 'cancelled', a.keep ? NOTHING_TO_KEEP : undefined);
      return this.finish(lib, runId, 'failed', 'stopped before completing');
    } catch (err) {
      return this.finish(lib, runId, a.cancelRequested ? 'cancelled' : 'failed', a.cancelRequested ? undefined : err instanceof Error ? err.message : String(err));
    }
  }

  private runChild(lib: Library, a: Active, job: FinetuneJob, runDir: string): Promise<ChildOutcome> {
    return new Promise((resolve) => {
      const child = fork(this.options.workerPath as string, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
      a.child = child;
      const recorded = recordChildPid(runDir, child.pid).catch(() => undefined);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      let outcome: ChildOutcome | null = null;
      const pending: Promise<unknown>[] = [];
      child.on('message', (msg: FromWorker) => {
        if (msg.type === 'done' || msg.type === 'error') outcome = msg;
        else if (msg.type === 'progress') this.onProgress(lib, a.runId, msg.progress);
        else if (msg.type === 'sample') pending.push(this.onSample(lib, a.runId, msg.step, msg.file));
      });
      child.on('exit', (code, signal) => {
        void Promise.allSettled([...pending, recorded.then(() => forgetChildPid(runDir, child.pid))]).then(() =>
          resolve(outcome ?? { type: 'exited', message: `training process exited (${signal ?? code}) ${stderr.trim().split('\n').at(-1) ?? ''}`.trim() }),
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
      state: run.status,
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
