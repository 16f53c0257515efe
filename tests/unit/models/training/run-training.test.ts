import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, readdir, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { FaceDataset } from '../../../../models/data/face-dataset';
import { runTraining, type TrainingProgress } from '../../../../models/training/run-training';
import { listCheckpoints, writeCheckpoint, type RunState } from '../../../../models/core/checkpoint';
import { TrainingController } from '../../../../models/training/training-control';
import { loadAgeClassifierTrainer, type AgeClassifierTrainer } from '../../../../models/recipes/age-classifier/trainer';
import { spreadAges, syntheticSource, tinyClassifierTrainer, useCpu } from '../../../helpers/train-fixtures';

let dir = '';
const ages = spreadAges(6);
const source = syntheticSource(ages, 16);
const data = () => new FaceDataset(source, { split: 'all', resolution: 16, seed: 4 });

beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(path.join(tmpdir(), 'train-loop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function baseOptions(runDir: string, totalSteps: number) {
  return {
    runDir,
    create: async () => tinyClassifierTrainer(ages),
    load: (d: string) => loadAgeClassifierTrainer(d),
    data: data(),
    totalSteps,
    batchSize: 8,
    seed: 4,
    logEvery: 1,
    sampleEvery: 4,
    checkpointEverySteps: 3,
  };
}

async function lossSeries(runDir: string): Promise<Array<{ step: number; ce: number }>> {
  const lines = (await readFile(path.join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  return lines.filter((l) => l.type === 'loss').map((l) => ({ step: l.step, ce: l.losses.ce }));
}

describe('runTraining', () => {
  it('resumes exactly: cancel at step 5, resume, same losses and step count as an uninterrupted run', async () => {
    const full = path.join(dir, 'full');
    const a = await runTraining(baseOptions(full, 10));
    expect(a).toMatchObject({ step: 10, completed: true, cancelled: false, resumedFrom: null });

    const cut = path.join(dir, 'cut');
    const control = new TrainingController();
    const b1 = await runTraining({ ...baseOptions(cut, 10), control, onStep: (_t, step) => step === 5 && control.cancel() });
    expect(b1).toMatchObject({ step: 5, completed: false, cancelled: true });
    expect((await listCheckpoints(cut)).map((c) => c.step)).toEqual([3, 5]);
    const b2 = await runTraining({ ...baseOptions(cut, 10), resume: true });
    expect(b2).toMatchObject({ step: 10, completed: true, resumedFrom: 5 });

    const la = await lossSeries(full);
    const lb = await lossSeries(cut);
    expect(lb.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 0; i < 10; i++) expect(lb[i].ce).toBeCloseTo(la[i].ce, 5);
    // The later losses differ from the first: the run actually trains.
    expect(la[9].ce).not.toBeCloseTo(la[0].ce, 3);

    const meta = JSON.parse(await readFile(path.join(cut, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ currentStep: 10, totalSteps: 10, completed: true, kind: 'age-classifier' });
    expect(Date.parse(meta.lastUpdated)).toBeGreaterThan(0);
    // Only the newest two are kept (the resumed session counts its period from step 5).
    expect((await listCheckpoints(cut)).map((c) => c.step)).toEqual([8, 10]);
    const samples = (await readdir(path.join(cut, 'samples'))).sort();
    expect(samples).toEqual(['step-000000004.png', 'step-000000008.png', 'step-000000010.png']);
    const png = await sharp(path.join(cut, 'samples', samples[0])).metadata();
    expect([png.width, png.height]).toEqual([32, 64]);
  });

  it('refuses to overwrite an existing run without resume', async () => {
    await expect(runTraining(baseOptions(path.join(dir, 'full'), 12))).rejects.toThrow(/--resume/);
  });

  it('leaks no tensor per step and reports steps/s and ETA', async () => {
    const counts: number[] = [];
    const progress: TrainingProgress[] = [];
    const before = tf.memory().numTensors;
    await runTraining({
      ...baseOptions(path.join(dir, 'leak'), 8),
      checkpointEverySteps: 0,
      checkpointEverySeconds: 3600,
      // The sample batch is cached once fetched; sampling only at the end keeps the count comparable.
      sampleEvery: 0,
      onStep: () => counts.push(tf.memory().numTensors),
      onProgress: (p) => progress.push(p),
    });
    // After a burn-in step (optimizer slots appear), the count is flat.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    const last = progress.filter((p) => p.phase === 'training').at(-1)!;
    expect(last.stepsPerSecond).toBeGreaterThan(0);
    expect(last.etaSeconds).not.toBeNull();
    expect(progress.at(-1)!.phase).toBe('done');
  });

  it('pauses and resumes without losing steps', async () => {
    const control = new TrainingController();
    const phases: string[] = [];
    const run = runTraining({
      ...baseOptions(path.join(dir, 'pause'), 6),
      control,
      onStep: (_t, step) => step === 2 && control.pause(),
      onProgress: (p) => {
        phases.push(p.phase);
        // Resume only once the loop reports it is paused (a timer could fire before it gets there).
        if (p.phase === 'paused') setTimeout(() => control.resume(), 50);
      },
    });
    const r = await run;
    expect(phases).toContain('paused');
    expect(phases.indexOf('paused')).toBeLessThan(phases.lastIndexOf('training'));
    expect(r).toMatchObject({ step: 6, completed: true });
  });
});

describe('runTraining control latency', () => {
  // Control messages (IPC pause/cancel, signals) arrive as event-loop tasks, not microtasks. A
  // step whose awaits all resolve at once never lets them in; the loop must yield once per step.
  const quiet = (runDir: string, totalSteps: number) => ({
    ...baseOptions(runDir, totalSteps),
    // No per-step file I/O that would let the event loop in by accident.
    logEvery: 1000,
    sampleEvery: 0,
    checkpointEverySteps: 0,
    checkpointEverySeconds: 3600,
  });

  it('a cancel that arrives as an event-loop task stops the run within two steps', async () => {
    const control = new TrainingController();
    let cancelAt = -1;
    const r = await runTraining({
      ...quiet(path.join(dir, 'cancel-latency'), 40),
      control,
      onStep: (_t, step) => {
        if (step === 3) setTimeout(() => ((cancelAt = step), control.cancel()), 0);
      },
    });
    expect(cancelAt).toBe(3);
    expect(r.cancelled).toBe(true);
    expect(r.step).toBeGreaterThanOrEqual(3);
    expect(r.step).toBeLessThanOrEqual(5);
  });

  it('onSample is called once each grid PNG is on disk', async () => {
    const seen: Array<[number, boolean]> = [];
    await runTraining({
      ...quiet(path.join(dir, 'on-sample'), 4),
      sampleEvery: 2,
      onSample: (step, file) => seen.push([step, existsSync(file)]),
    });
    expect(seen).toEqual([[2, true], [4, true]]);
  });

  it('a pause that arrives as an event-loop task holds the run within two steps, resume finishes it', async () => {
    const control = new TrainingController();
    let pausedAt = -1;
    const r = await runTraining({
      ...quiet(path.join(dir, 'pause-latency'), 10),
      control,
      onStep: (_t, step) => {
        if (step === 3) setImmediate(() => control.pause());
      },
      onProgress: (p) => {
        if (p.phase === 'paused' && pausedAt < 0) {
          pausedAt = p.step;
          setTimeout(() => control.resume(), 20);
        }
      },
    });
    expect(pausedAt).toBeGreaterThanOrEqual(3);
    expect(pausedAt).toBeLessThanOrEqual(5);
    expect(r).toMatchObject({ step: 10, completed: true, cancelled: false });
  });
});

describe('checkpoints', () => {
  const state = (step: number): RunState => ({
    format: 'face-age-run-state', version: 1, kind: 'test', step, totalSteps: 10, batchSize: 1, seed: 1, trainSeconds: 0, savedAt: '',
  });

  it('never shows a half-written checkpoint: a failing save leaves the previous ones intact', async () => {
    const runDir = path.join(dir, 'ckpt');
    const t: AgeClassifierTrainer = tinyClassifierTrainer(ages);
    await writeCheckpoint(runDir, state(1), (d) => t.save(d));
    await expect(
      writeCheckpoint(runDir, state(2), async (d) => {
        await t.save(d);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect((await listCheckpoints(runDir)).map((c) => c.step)).toEqual([1]);
    expect((await readdir(path.join(runDir, 'checkpoints'))).filter((n) => n.startsWith('.'))).toEqual([]);
    await access(path.join(runDir, 'checkpoints', 'step-000000001', 'age-classifier.bin'));
    // Re-saving the same step replaces it whole.
    await writeCheckpoint(runDir, state(1), (d) => t.save(d));
    expect((await listCheckpoints(runDir)).map((c) => c.step)).toEqual([1]);
    t.dispose();
  });
});
