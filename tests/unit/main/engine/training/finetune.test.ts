/**
 * Fine-tuning end to end through the real core: fixture photos imported into a real library (the
 * real engine detects faces and descriptors), tiny real CycleGAN and Age-cGAN base models, and the
 * real forked training child (bundled like the engine) fine-tuning them into new model versions.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../../main/core/core';
import { bundleEngine } from '../../../../helpers/engine-bundle';
import { exportTinyAgingModel, startTestCore } from '../../../../helpers/core-fixtures';
import { IDENTITY_CHECK_AGES, NOTHING_TO_KEEP } from '../../../../../main/engine/training/training-runs';
import { resolveAgeCganConfig } from '../../../../../models/recipes/age-cgan/config';
import { Encoder, Generator } from '../../../../../models/recipes/age-cgan/networks';
import { writeModelExport } from '../../../../../models/recipes/age-cgan/checkpoint';

const RES = 32;
const call = { host: 'test' as const };
const FACES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'faces');
let dir = '';
let core: StudioCore;
let baseId = 0;
let baseDir = '';
let ageBaseId = 0;
let ageBaseDir = '';
/** The shipped prototype: the Age-cGAN fine-tune's teacher. */
const PROTOTYPE = join(__dirname, '..', '..', '..', '..', '..', 'assets', 'models', 'prototype');
let fineTunedId = '';
const photoIds: Record<string, string> = {};

function value<T>(r: { ok: boolean; value?: unknown; error?: unknown }): T {
  if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

function hashFolder(folder: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(folder).sort()) h.update(name).update(readFileSync(join(folder, name)));
  return h.digest('hex');
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('training-finetune', { 'train-worker.cjs': 'main/engine/ops/train-child.ts' }));
  const workerPath = join(dir, 'train-worker.cjs');
  // wasm: the cpu backend's training step is ~10x slower on 2 busy cores.
  core = startTestCore(dir, { training: { workerPath, backend: 'wasm', teacherDir: PROTOTYPE } });
  const exportDir = await exportTinyAgingModel(join(dir, 'base-export'), RES, 1);
  const lib = await core.context.library();
  const base = await lib.registerModel({ kind: 'cyclegan', name: 'tiny base', isBase: true, weightsDir: exportDir, config: { resolution: RES, ageRange: [0, 90] } });
  baseId = base.id;
  baseDir = lib.modelWeightsPath(base.id);
  // A tiny Age-cGAN base in the shipped format (G + E float16 + meta.json, untrained weights).
  const ageConfig = resolveAgeCganConfig({ resolution: RES, ngf: 8, ndf: 8, nef: 8, zDim: 16, teacherWeight: 10, reconstructionWeight: 1, changeScale: 1.12, ip: { steps: 0 } });
  const G = new Generator(ageConfig);
  const E = new Encoder(ageConfig);
  const ageExport = join(dir, 'age-base-export');
  await writeModelExport(ageExport, ageConfig, 0, { G: G.params, E: E.params }, { createdAt: new Date().toISOString(), losses: {}, metrics: {}, totalSteps: 0, completed: true });
  G.dispose();
  E.dispose();
  const ageBase = await lib.registerModel({ kind: 'age-cgan', name: 'tiny age-cgan base', isBase: true, weightsDir: ageExport, config: { resolution: RES, ageRange: [0, 90] } });
  ageBaseId = ageBase.id;
  ageBaseDir = lib.modelWeightsPath(ageBase.id);

  const project = value<{ id: string }>(await core.dispatch('projects:create', { name: 'Person' }, call));
  const names = ['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-02-obama-3.jpg', 'face-03-obama-4.jpg', 'face-10-alex-lacamoire-1.jpg'];
  // The fixtures are tight 128 px aligned crops; the detector wants a face with some margin, as in a photo.
  const files = await Promise.all(
    names.map(async (name) => ({
      name,
      bytes: new Uint8Array(
        await sharp(join(FACES, name)).resize(256, 256).extend({ top: 128, bottom: 128, left: 128, right: 128, background: '#808080' }).jpeg().toBuffer(),
      ),
    })),
  );
  const imported = value<{ imported: { id: string; name: string; faceCount: number }[] }>(
    await core.dispatch('photos:import', { projectId: project.id, source: { kind: 'bytes', files } }, call),
  );
  for (const p of imported.imported) photoIds[p.name] = p.id;
}, 240_000);

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

describe('identity check of a person\'s photos', () => {
  it('flags the photo of another person and not the person\'s own', async () => {
    const ids = Object.values(photoIds).map(Number);
    const check = await core.training.checkPhotos(ids);
    expect(check.faces.length + check.skipped.length).toBe(ids.length);
    expect(check.faces.length).toBeGreaterThanOrEqual(4);
    const other = check.faces.find((f) => f.photoId === Number(photoIds['face-10-alex-lacamoire-1.jpg']));
    expect(other?.flagged).toBe(true);
    const own = check.faces.filter((f) => f.photoId !== other?.photoId);
    expect(own.every((f) => !f.flagged)).toBe(true);
    expect(Math.max(...own.map((f) => f.distance))).toBeLessThan(other?.distance ?? 0);
  });
});

describe('fine-tuning', () => {
  const obama = () => Object.entries(photoIds).filter(([n]) => n.includes('obama')).map(([, id]) => id);

  it('produces a new version whose parent is the base, leaves the base untouched, and the new version ages a face', async () => {
    const before = hashFolder(baseDir);
    const progress: number[] = [];
    const states: string[] = [];
    const offP = core.events.subscribe((ev, e) => ev === 'training:progress' && progress.push((e as { step: number }).step));
    const offS = core.events.subscribe((ev, e) => ev === 'training:runState' && states.push((e as { state: string }).state));
    const { runId } = value<{ runId: string }>(await core.dispatch('finetune:start', { baseModelId: String(baseId), photoIds: obama(), steps: 4, name: 'me' }, call));
    await core.training.settled(Number(runId));
    offP();
    offS();
    const run = value<{ state: string; outputModelId: string | null; baseModelId: string; kind: string; sampleSteps: number[]; history: unknown[] }>(
      await core.dispatch('training:get', { runId }, call),
    );
    expect(run).toMatchObject({ state: 'completed', kind: 'fine-tune', baseModelId: String(baseId) });
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('completed');
    expect(progress.length).toBeGreaterThan(0);
    expect(run.history.length).toBeGreaterThan(0);
    expect(run.sampleSteps.length).toBeGreaterThan(0);
    expect(run.outputModelId).not.toBeNull();
    const model = value<{ parentId: string | null; name: string }>(await core.dispatch('models:get', { modelId: run.outputModelId }, call));
    expect(model.parentId).toBe(String(baseId));
    expect(hashFolder(baseDir)).toBe(before);
    const grid = value<{ image: { width: number } }>(await core.dispatch('training:sampleGrid', { runId }, call));
    expect(grid.image.width).toBeGreaterThan(RES);
    const aged = value<{ crop: { width: number } }>(
      await core.dispatch('aging:preview', { requestId: 'ft', photoId: obama()[0], modelId: run.outputModelId, targetAge: 70, output: 'crop' }, call),
    );
    expect(aged.crop.width).toBe(RES);
    fineTunedId = run.outputModelId as string;
  }, 120_000);

  it('identity check: descriptor distances of the person\'s faces aged by the base and by the fine-tuned version', async () => {
    const events: unknown[] = [];
    const off = core.events.subscribe((ev, e) => ev === 'finetune:identityCheck' && events.push(e));
    const check = value<{
      modelId: string;
      baseModelId: string;
      threshold: number;
      photos: { photoId: string; targetAge: number; distanceBase: number; distanceFineTuned: number; passed: boolean }[];
      meanDistanceBase: number;
      meanDistanceFineTuned: number;
    }>(await core.dispatch('finetune:identityCheck', { modelId: fineTunedId }, call));
    off();
    expect(check).toMatchObject({ modelId: fineTunedId, baseModelId: String(baseId), threshold: 0.6 });
    // Every usable face of the run (the four obama photos) at each target age.
    const faces = new Set(check.photos.map((p) => p.photoId));
    expect([...faces].sort()).toEqual(obama().sort());
    expect(check.photos).toHaveLength(faces.size * IDENTITY_CHECK_AGES.length);
    expect(new Set(check.photos.map((p) => p.targetAge))).toEqual(new Set(IDENTITY_CHECK_AGES));
    for (const p of check.photos) {
      expect(p.distanceBase).toBeGreaterThan(0);
      expect(p.distanceFineTuned).toBeGreaterThan(0);
      expect(p.passed).toBe(p.distanceFineTuned <= check.threshold);
    }
    const mean = (k: 'distanceBase' | 'distanceFineTuned') => check.photos.reduce((a, p) => a + p[k], 0) / check.photos.length;
    expect(check.meanDistanceBase).toBeCloseTo(mean('distanceBase'), 6);
    expect(check.meanDistanceFineTuned).toBeCloseTo(mean('distanceFineTuned'), 6);
    // Two different generators: their outputs (and so distances) differ somewhere.
    expect(check.photos.some((p) => Math.abs(p.distanceBase - p.distanceFineTuned) > 1e-4)).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ modelId: fineTunedId, runId: expect.any(String) });
    // A base model has nothing to compare with.
    const refused = await core.dispatch('finetune:identityCheck', { modelId: String(baseId) }, call);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  }, 120_000);

  it('fine-tunes an Age-cGAN base into a new Age-cGAN version whose parent is the base, base untouched', async () => {
    const before = hashFolder(ageBaseDir);
    const { runId } = value<{ runId: string }>(await core.dispatch('training:start', { kind: 'age-cgan', baseModelId: String(ageBaseId), selection: { by: 'photos', photoIds: obama() }, steps: 3, name: 'me (age-cgan)' }, call));
    await core.training.settled(Number(runId));
    const run = value<{ state: string; outputModelId: string | null; baseModelId: string; sampleSteps: number[] }>(await core.dispatch('training:get', { runId }, call));
    expect(run).toMatchObject({ state: 'completed', baseModelId: String(ageBaseId) });
    expect(run.sampleSteps.length).toBeGreaterThan(0);
    const model = value<{ parentId: string | null; kind: string; lineage: { id: string }[] }>(await core.dispatch('models:get', { modelId: run.outputModelId }, call));
    expect(model).toMatchObject({ parentId: String(ageBaseId), kind: 'age-cgan' });
    expect(model.lineage.map((a) => a.id)).toContain(String(ageBaseId));
    expect(hashFolder(ageBaseDir)).toBe(before);
    const lib = await core.context.library();
    const meta = JSON.parse(readFileSync(join(lib.modelWeightsPath(Number(run.outputModelId)), 'meta.json'), 'utf8')) as { kind: string; step: number };
    expect(meta).toMatchObject({ kind: 'age-cgan', step: 3 });
    const aged = value<{ crop: { width: number } }>(
      await core.dispatch('aging:preview', { requestId: 'ft-acgan', photoId: obama()[0], modelId: run.outputModelId, targetAge: 70, output: 'crop' }, call),
    );
    expect(aged.crop.width).toBeGreaterThan(0);
  }, 120_000);

  /** Starts a long fine-tune of the tiny base and resolves once it has trained `steps` steps. */
  async function startAndTrain(steps: number): Promise<string> {
    let trained!: () => void;
    const stepped = new Promise<void>((r) => (trained = r));
    const off = core.events.subscribe((ev, e) => ev === 'training:progress' && (e as { step: number }).step >= steps && trained());
    const { runId } = value<{ runId: string }>(await core.dispatch('finetune:start', { baseModelId: String(baseId), photoIds: obama(), steps: 5000, name: 'stopped' }, call));
    await stepped;
    off();
    return runId;
  }
  const modelCount = async () => value<{ models: unknown[] }>(await core.dispatch('models:list', {}, call)).models.length;
  type RunView = { state: string; outputModelId: string | null; step: number; error: string | null };

  it('pauses, resumes and cancels a run with discard, which ends cancelled and adds no version', async () => {
    const models = await modelCount();
    const runId = await startAndTrain(1);
    expect(value<{ state: string }>(await core.dispatch('training:pause', { runId }, call)).state).toBe('paused');
    await new Promise((r) => setTimeout(r, 200));
    expect(value<{ state: string }>(await core.dispatch('training:get', { runId }, call)).state).toBe('paused');
    expect(value<{ state: string }>(await core.dispatch('training:resume', { runId }, call)).state).toBe('running');
    expect(value<{ state: string }>(await core.dispatch('training:cancel', { runId, keep: false }, call)).state).toBe('cancelled');
    await core.training.settled(Number(runId));
    const run = value<RunView>(await core.dispatch('training:get', { runId }, call));
    expect(run).toMatchObject({ state: 'cancelled', outputModelId: null, error: null });
    expect(await modelCount()).toBe(models);
  }, 120_000);

  it('stopping with keep makes the latest checkpoint a version of the base, named as stopped, whose weights age a face', async () => {
    const models = await modelCount();
    const runId = await startAndTrain(2);
    expect(value<{ state: string }>(await core.dispatch('training:cancel', { runId, keep: true }, call)).state).toBe('cancelled');
    await core.training.settled(Number(runId));
    const run = value<RunView>(await core.dispatch('training:get', { runId }, call));
    expect(run).toMatchObject({ state: 'cancelled', error: null });
    expect(run.outputModelId).not.toBeNull();
    expect(await modelCount()).toBe(models + 1);
    const model = value<{ parentId: string | null; name: string }>(await core.dispatch('models:get', { modelId: run.outputModelId }, call));
    expect(model.parentId).toBe(String(baseId));
    const stoppedAt = Number(/^stopped \(stopped at step (\d+) of 5000\)$/.exec(model.name)?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    const lib = await core.context.library();
    const weights = lib.modelWeightsPath(Number(run.outputModelId));
    expect(hashFolder(weights)).not.toBe(hashFolder(baseDir));
    const aged = value<{ crop: { width: number } }>(
      await core.dispatch('aging:preview', { requestId: 'ft-kept', photoId: obama()[0], modelId: run.outputModelId, targetAge: 70, output: 'crop' }, call),
    );
    expect(aged.crop.width).toBe(RES);
  }, 120_000);

  it('a stopped run\'s version registered by a studio that died before recording it stays with the run, which stays stopped', async () => {
    const lib = await core.context.library();
    const died = async (via: 'resume' | 'cancel') => {
      const run = lib.createRun({ kind: 'cyclegan', parentModelId: baseId, totalSteps: 50, config: { fineTune: true, name: via, photoIds: obama().map(Number), steps: 50 } });
      lib.setRunStatus(run.id, 'running');
      // What the library's recovery leaves of a run whose studio died mid-run.
      lib.setRunStatus(run.id, 'interrupted');
      const version = await lib.registerModel({
        kind: 'cyclegan', name: `${via} (stopped at step 3 of 50)`, isBase: false, parentId: baseId, weightsDir: baseDir,
        config: { resolution: RES, ageRange: [0, 90], fineTunedFrom: baseId, steps: 3, trainingRunId: run.id, stoppedAtStep: 3 },
      });
      if (via === 'resume') await core.training.resumeInterrupted(run.id);
      else await core.training.cancel(run.id, true);
      await core.training.settled(run.id);
      return { run: lib.getRun(run.id), versionId: version.id };
    };
    for (const via of ['resume', 'cancel'] as const) {
      const { run, versionId } = await died(via);
      expect(run).toMatchObject({ status: 'cancelled', outputModelId: versionId, error: null });
    }
  }, 120_000);

  it('stopping with keep before the first step adds nothing and says so', async () => {
    const models = await modelCount();
    const { runId } = value<{ runId: string }>(await core.dispatch('finetune:start', { baseModelId: String(baseId), photoIds: obama(), steps: 5000 }, call));
    await core.dispatch('training:cancel', { runId }, call);
    await core.training.settled(Number(runId));
    const run = value<RunView>(await core.dispatch('training:get', { runId }, call));
    expect(run).toMatchObject({ state: 'cancelled', outputModelId: null, error: NOTHING_TO_KEEP });
    expect(await modelCount()).toBe(models);
  }, 120_000);
});
