/**
 * Fine-tuning an Age-cGAN base (models/recipes/age-cgan/finetune.ts, through runFinetune's dispatch)
 * on the committed portrait-derived faces of one person: a tiny real base (32 px) exported in the
 * shipped format, the shipped prototype as teacher, face-api's recognition net for the descriptor
 * loss. Checks the export loads as an Age-cGAN and ages, the base folder is untouched, and that a
 * run cancelled midway and resumed ends with exactly the weights of an uninterrupted run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../../models/backend/select';
import { resolveAgeCganConfig } from '../../../../../models/recipes/age-cgan/config';
import { Encoder, Generator } from '../../../../../models/recipes/age-cgan/networks';
import { writeModelExport } from '../../../../../models/recipes/age-cgan/checkpoint';
import { loadAgeCganModel } from '../../../../../models/recipes/age-cgan/model';
import { runFinetune } from '../../../../../models/training/finetune';
import type { FinetuneSpec } from '../../../../../models/training/finetune-spec';
import { TrainingController } from '../../../../../models/training/training-control';
import { latestCheckpoint } from '../../../../../models/core/checkpoint';

const FACES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'faces');
const PROTOTYPE = join(__dirname, '..', '..', '..', '..', '..', 'assets', 'models', 'prototype');
const OWN = ['face-00-obama-1.jpg', 'face-01-obama-2.jpg', 'face-02-obama-3.jpg', 'face-03-obama-4.jpg'];
const STEPS = 6;
let dir = '';
let baseDir = '';
let dataDir = '';

function hashFolder(folder: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(folder).sort()) h.update(name).update(readFileSync(join(folder, name)));
  return h.digest('hex');
}

function spec(name: string, extra: Partial<FinetuneSpec> = {}): FinetuneSpec {
  return {
    baseDir,
    dataDir,
    runDir: join(dir, name, 'run'),
    exportDir: join(dir, name, 'export'),
    steps: STEPS,
    batch: 2,
    sampleEvery: 3,
    seed: 1,
    identityWeight: 1,
    teacherDir: PROTOTYPE,
    ...extra,
  };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'finetune-age-cgan-'));
  // A tiny base in the shipped format (G + E float16 + meta.json), config as the shipped one's.
  const config = resolveAgeCganConfig({ resolution: 32, ngf: 8, ndf: 8, nef: 8, zDim: 16, teacherWeight: 10, reconstructionWeight: 1, changeScale: 1.12, ip: { steps: 0 } });
  const G = new Generator(config);
  const E = new Encoder(config);
  baseDir = join(dir, 'base');
  const info = { createdAt: new Date().toISOString(), losses: {}, metrics: {}, totalSteps: 0, completed: true };
  await writeModelExport(baseDir, config, 0, { G: G.params, E: E.params }, info);
  G.dispose();
  E.dispose();
  dataDir = join(dir, 'data');
  await fs.mkdir(dataDir);
  const labels = (await fs.readFile(join(FACES, 'labels.csv'), 'utf8')).split(/\r?\n/).filter((l) => OWN.some((n) => l.startsWith(`${n},`)));
  for (const n of OWN) await fs.copyFile(join(FACES, n), join(dataDir, n));
  await fs.writeFile(join(dataDir, 'labels.csv'), ['file,age', ...labels].join('\n') + '\n');
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fine-tuning an Age-cGAN base', () => {
  let before = '';
  let uninterrupted: Buffer | null = null;

  it('exports a new Age-cGAN model that loads and ages, with the base folder byte-identical', async () => {
    before = hashFolder(baseDir);
    const losses: Array<Record<string, number>> = [];
    const samples: number[] = [];
    const r = await runFinetune(spec('full'), {
      onProgress: (p) => p.phase === 'training' && Object.keys(p.losses).length && losses.push(p.losses),
      onSample: (step) => samples.push(step),
    });
    expect(r).toMatchObject({ kind: 'age-cgan', completed: true, cancelled: false, step: STEPS, teacher: true, exported: spec('full').exportDir });
    expect(r.trainableVars).toBeGreaterThan(0);
    // Every term of the recipe ran: reconstruction, the teacher's change, the identity descriptor, the anchor.
    expect(Object.keys(losses.at(-1) ?? {}).sort()).toEqual(['G_anchor', 'G_id', 'G_rec', 'G_teacher']);
    for (const v of Object.values(losses.at(-1) ?? {})) expect(Number.isFinite(v)).toBe(true);
    expect(samples.length).toBeGreaterThan(0);
    expect(hashFolder(baseDir)).toBe(before);

    const exported = r.exported as string;
    expect(readdirSync(exported).sort()).toEqual(['E.bin', 'E.json', 'G.bin', 'G.json', 'meta.json']);
    const meta = JSON.parse(await fs.readFile(join(exported, 'meta.json'), 'utf8')) as { kind: string; step: number; config: { changeScale: number } };
    expect(meta).toMatchObject({ kind: 'age-cgan', step: STEPS, config: { changeScale: 1.12 } });
    // Same format as the base: float16 weights of the same size.
    expect((await fs.stat(join(exported, 'G.bin'))).size).toBe((await fs.stat(join(baseDir, 'G.bin'))).size);
    uninterrupted = await fs.readFile(join(exported, 'G.bin'));
    expect(uninterrupted.equals(await fs.readFile(join(baseDir, 'G.bin')))).toBe(false);

    const tuned = await loadAgeCganModel(exported);
    const base = await loadAgeCganModel(baseDir);
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    try {
      const a = await tuned.age(x, 30, 70);
      const b = await base.age(x, 30, 70);
      expect(a.output.shape).toEqual([1, 32, 32, 3]);
      const change = tf.tidy(() => tf.mean(tf.abs(tf.sub(a.output, a.reconstruction))).dataSync()[0]);
      expect(change).toBeGreaterThan(0);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.output, b.output))).dataSync()[0]);
      expect(diff).toBeGreaterThan(1e-4);
      tf.dispose([a.output, a.reconstruction, b.output, b.reconstruction]);
    } finally {
      x.dispose();
      tuned.dispose();
      base.dispose();
    }
  }, 60_000);

  it('a run cancelled midway resumes from its checkpoint and ends with the uninterrupted weights', async () => {
    const control = new TrainingController();
    const first = await runFinetune(spec('resumed'), { control, onProgress: (p) => p.phase === 'training' && p.step >= 3 && control.cancel() });
    expect(first).toMatchObject({ completed: false, cancelled: true, exported: null });
    const ckpt = await latestCheckpoint(spec('resumed').runDir);
    expect(ckpt?.step).toBeGreaterThanOrEqual(3);
    expect(ckpt?.step).toBeLessThan(STEPS);
    const second = await runFinetune(spec('resumed'));
    expect(second).toMatchObject({ completed: true, step: STEPS });
    const g = await fs.readFile(join(second.exported as string, 'G.bin'));
    expect(uninterrupted).not.toBeNull();
    expect(g.equals(uninterrupted as Buffer)).toBe(true);
    expect(hashFolder(baseDir)).toBe(before);
  }, 60_000);
});
