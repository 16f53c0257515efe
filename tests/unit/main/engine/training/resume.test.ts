/**
 * Resuming an interrupted studio fine-tune through the real core: fixture photos in a real
 * library, a tiny real CycleGAN base, the real forked training child (bundled like the engine).
 * Either the studio's main process (a child core here) or the training child is SIGKILLed
 * mid-run. The run must show 'interrupted' (not failed), and training:resumeInterrupted must
 * continue it in the same run row and folder from its newest checkpoint to one new version.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../../main/core/core';
import { latestCheckpoint } from '../../../../../models/core/checkpoint';
import { FINETUNE_CHECKPOINT } from '../../../../../models/training/finetune-spec';
import { bundleEngine } from '../../../../helpers/engine-bundle';
import { exportTinyAgingModel, startTestCore } from '../../../../helpers/core-fixtures';
import { kill9, sleep, startJsonChild } from '../../../../helpers/process-helpers';

const RES = 32;
const STEPS = 30;
const call = { host: 'test' as const };
const FACES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'faces');
let dir = '';
let core: StudioCore | null = null;
let baseId = 0;
const photoIds: string[] = [];

function value<T>(r: { ok: boolean; value?: unknown; error?: unknown }): T {
  if (!r.ok) throw new Error(`request failed: ${JSON.stringify(r.error)}`);
  return r.value as T;
}

interface Progress {
  runId: string;
  step: number;
  state: string;
  losses: Record<string, number>;
}

const startCore = () => startTestCore(dir, { training: { workerPath: join(dir, 'train-worker.cjs'), backend: 'wasm', threads: 1 } });
const studio = () => core as StudioCore;
const runDirOf = (runId: string) => join(dir, 'library', 'training', `run-${runId}`);

beforeAll(async () => {
  ({ dir } = await bundleEngine('training-resume', { 'train-worker.cjs': 'main/engine/ops/train-child.ts', 'main-child.cjs': 'tests/children/training-resume-main-child.ts' }));
  const setup = startCore();
  try {
    const exportDir = await exportTinyAgingModel(join(dir, 'base-export'), RES, 1);
    const lib = await setup.context.library();
    baseId = (await lib.registerModel({ kind: 'cyclegan', name: 'tiny base', isBase: true, weightsDir: exportDir, config: { resolution: RES, ageRange: [0, 90] } })).id;
    const project = value<{ id: string }>(await setup.dispatch('projects:create', { name: 'Person' }, call));
    const names = ['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-02-obama-3.jpg'];
    // The fixtures are tight aligned crops; the detector wants a face with some margin, as in a photo.
    const files = await Promise.all(
      names.map(async (name) => ({
        name,
        bytes: new Uint8Array(
          await sharp(join(FACES, name)).resize(256, 256).extend({ top: 128, bottom: 128, left: 128, right: 128, background: '#808080' }).jpeg().toBuffer(),
        ),
      })),
    );
    const imported = value<{ imported: { id: string }[] }>(await setup.dispatch('photos:import', { projectId: project.id, source: { kind: 'bytes', files } }, call));
    photoIds.push(...imported.imported.map((p) => p.id));
  } finally {
    // One process opens the library at a time: the studio that crashes in the first test is next.
    await setup.close();
  }
}, 240_000);

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  tf.disposeVariables();
});

/** training:resumeInterrupted, retried while a killed studio's training child is still stopping. */
async function resumeWhenFree(runId: string): Promise<{ runId: string; state: string }> {
  for (let i = 0; ; i++) {
    const r = await studio().dispatch('training:resumeInterrupted', { runId }, call);
    if (r.ok || (r.error as { code: string }).code !== 'busy' || i >= 300) return value(r);
    await sleep(100);
  }
}

/** Progress events of `runId` from now on. */
function watch(runId: string) {
  const progress: Progress[] = [];
  const off = studio().events.subscribe((ev, e) => ev === 'training:progress' && (e as Progress).runId === runId && progress.push(e as Progress));
  return { progress, off };
}

/** After a resumed session: it went on from `ckptStep` to the end, one version, each step logged once. */
async function expectCompletedFrom(runId: string, ckptStep: number, progress: Progress[], runsBefore: number): Promise<void> {
  const lib = await studio().context.library();
  // The resumed child started at the checkpoint, not at step 0 nor where the killed one was.
  expect(Math.min(...progress.map((p) => p.step))).toBe(ckptStep);
  const firstTrained = progress.find((p) => Object.keys(p.losses).length > 0 && p.step > ckptStep)!;
  expect(firstTrained.step).toBeLessThanOrEqual(ckptStep + 2);
  expect(Math.max(...progress.map((p) => p.step))).toBe(STEPS);
  const run = value<{ state: string; step: number; outputModelId: string | null; history: { step: number }[] }>(await studio().dispatch('training:get', { runId }, call));
  expect(run).toMatchObject({ state: 'completed', step: STEPS });
  // Same run row (no new one); its loss series holds each logged step once, from before the kill to the end.
  expect(lib.listRuns().length).toBe(runsBefore);
  const steps = run.history.map((h) => h.step);
  expect(new Set(steps).size).toBe(steps.length);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  expect(steps.at(-1)).toBe(STEPS);
  expect(steps.filter((s) => s <= ckptStep).length).toBeGreaterThan(0);
  // The child's own log in the run folder was trimmed to the checkpoint before going on.
  const logged = readFileSync(join(runDirOf(runId), 'work', 'metrics.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { type: string; step: number }).filter((l) => l.type === 'loss').map((l) => l.step);
  expect(new Set(logged).size).toBe(logged.length);
  // One new version, registered once, a child of the base, that ages a face.
  const versions = lib.listModels().filter((m) => m.config.trainingRunId === Number(runId));
  expect(versions).toHaveLength(1);
  expect(String(versions[0].id)).toBe(run.outputModelId);
  expect(versions[0].parentId).toBe(baseId);
  const aged = value<{ crop: { width: number } }>(
    await studio().dispatch('aging:preview', { requestId: `resumed-${runId}`, photoId: photoIds[0], modelId: run.outputModelId, targetAge: 70, output: 'crop' }, call),
  );
  expect(aged.crop.width).toBe(RES);
  // Completed: nothing left to resume.
  expect(await studio().dispatch('training:resumeInterrupted', { runId }, call)).toMatchObject({ ok: false, error: { code: 'conflict' } });
}

describe('resuming an interrupted fine-tune', () => {
  it('after the studio (main) was SIGKILLed mid-run', async () => {
    const c = startJsonChild(join(dir, 'main-child.cjs'), [dir, join(dir, 'train-worker.cjs'), String(baseId), photoIds.join(','), String(STEPS)]);
    const { runId } = (await c.waitFor((l) => typeof l.runId === 'string')) as { runId: string };
    const workDir = join(runDirOf(runId), 'work');
    await c.waitFor((l) => (l.step as number) > FINETUNE_CHECKPOINT.steps);
    while (!(await latestCheckpoint(workDir))) await sleep(50);
    expect(await kill9(c)).toBe(true);

    // The next start: the library's recovery leaves the run interrupted, listed as such with its reason.
    core = startCore();
    const listed = value<{ runs: { runId: string; state: string; error: string | null }[] }>(await studio().dispatch('training:list', {}, call)).runs;
    expect(listed.find((r) => r.runId === runId)).toMatchObject({ state: 'interrupted', error: expect.stringMatching(/checkpoint/) });
    const { progress, off } = watch(runId);
    try {
      expect(await resumeWhenFree(runId)).toEqual({ runId, state: 'running' });
      // The killed studio's child checkpointed as it stopped; only the new child writes the folder now.
      const ckpt = (await latestCheckpoint(workDir))!;
      expect(ckpt.step).toBeGreaterThanOrEqual(FINETUNE_CHECKPOINT.steps);
      expect(ckpt.step).toBeLessThan(STEPS);
      await studio().training.settled(Number(runId));
      await expectCompletedFrom(runId, ckpt.step, progress, listed.length);
    } finally {
      off();
    }
  }, 240_000);

  it('after the studio (main) was SIGKILLed while the run was paused: Resume continues it from its checkpoint', async () => {
    await studio().close();
    core = null;
    const c = startJsonChild(join(dir, 'main-child.cjs'), [dir, join(dir, 'train-worker.cjs'), String(baseId), photoIds.join(','), String(STEPS), 'pause']);
    const { runId } = (await c.waitFor((l) => typeof l.runId === 'string')) as { runId: string };
    await c.waitFor((l) => l.paused === true);
    expect(await kill9(c)).toBe(true);

    core = startCore();
    // Recovery only interrupts running runs: this one is listed paused, with no child to un-pause.
    const listed = value<{ runs: { runId: string; state: string }[] }>(await studio().dispatch('training:list', {}, call)).runs;
    expect(listed.find((r) => r.runId === runId)?.state).toBe('paused');
    const { progress, off } = watch(runId);
    try {
      let resumed = await studio().dispatch('training:resume', { runId }, call);
      for (let i = 0; !resumed.ok && (resumed.error as { code: string }).code === 'busy' && i < 300; i++) {
        await sleep(100);
        resumed = await studio().dispatch('training:resume', { runId }, call);
      }
      expect(value(resumed)).toEqual({ runId, state: 'running' });
      const ckpt = (await latestCheckpoint(join(runDirOf(runId), 'work')))!;
      await studio().training.settled(Number(runId));
      await expectCompletedFrom(runId, ckpt.step, progress, listed.length);
    } finally {
      off();
    }
  }, 240_000);

  it('after its training child was SIGKILLed while paused', async () => {
    const lib = await studio().context.library();
    const states: string[] = [];
    const offStates = studio().events.subscribe((ev, e) => ev === 'training:runState' && states.push((e as { state: string }).state));
    const { runId } = value<{ runId: string }>(await studio().dispatch('finetune:start', { baseModelId: String(baseId), photoIds, steps: STEPS, name: 'me' }, call));
    const workDir = join(runDirOf(runId), 'work');
    const first = watch(runId);
    try {
      // Past the first step-count checkpoint, then pause: the child sits between steps, a checkpoint behind.
      while (!(first.progress.some((p) => p.step > FINETUNE_CHECKPOINT.steps) && (await latestCheckpoint(workDir)))) await sleep(50);
    } finally {
      first.off();
    }
    expect(value<{ state: string }>(await studio().dispatch('training:pause', { runId }, call)).state).toBe('paused');
    const ckpt = (await latestCheckpoint(workDir))!;
    expect(ckpt.step).toBeLessThan(STEPS);
    process.kill(Number(readFileSync(join(runDirOf(runId), 'child.pid'), 'utf8')), 'SIGKILL');
    await studio().training.settled(Number(runId));
    offStates();

    const interrupted = value<{ state: string; error: string }>(await studio().dispatch('training:get', { runId }, call));
    expect(interrupted).toMatchObject({ state: 'interrupted', error: expect.stringMatching(/SIGKILL/) });
    expect(states.at(-1)).toBe('interrupted');
    // Un-pausing is not resuming: the paused child is gone.
    expect(await studio().dispatch('training:pause', { runId }, call)).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const runsBefore = lib.listRuns().length;
    const { progress, off } = watch(runId);
    try {
      expect(value(await studio().dispatch('training:resumeInterrupted', { runId }, call))).toEqual({ runId, state: 'running' });
      // A second resume while it runs is refused.
      expect(await studio().dispatch('training:resumeInterrupted', { runId }, call)).toMatchObject({ ok: false, error: { code: 'conflict' } });
      await studio().training.settled(Number(runId));
      await expectCompletedFrom(runId, ckpt.step, progress, runsBefore);
    } finally {
      off();
    }
  }, 240_000);

  it('an unknown run is not-found', async () => {
    expect(await studio().dispatch('training:resumeInterrupted', { runId: '999999' }, call)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
