import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../../../models/backend/select';
import { newCycleGanConfig, parseTrainOptions, runTrainCommand } from '../../../../../models/training/train-command';
import { defaultCycleGanConfig, type CycleGanConfig } from '../../../../../models/recipes/cyclegan/config';
import { latestCheckpoint } from '../../../../../models/core/checkpoint';
import { readCycleGanMeta } from '../../../../../models/recipes/cyclegan/checkpoint';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const RECIPE_FILE = path.join(ROOT, 'models', 'recipes', 'cyclegan', 'presets', 'distil-prototype.json');
const SHIPPED_PROTOTYPE = path.join(ROOT, 'assets', 'models', 'prototype');
const FACES = path.join(ROOT, 'tests', 'fixtures', 'faces');
const base = { kind: 'cyclegan', data: '/d', run: '/r' };
const recipe = (): CycleGanConfig => JSON.parse(readFileSync(RECIPE_FILE, 'utf8')) as CycleGanConfig;

describe('train --kind cyclegan defaults', () => {
  it('without --config trains the distil-prototype recipe, distilling the shipped prototype', () => {
    const o = parseTrainOptions(base);
    expect(o).toMatchObject({ recipe: 'distil-prototype', resolution: 64, batch: 2, steps: 3000, seed: 1 });
    expect(o.teacher).toBe(SHIPPED_PROTOTYPE);
    expect(o.teacherOptions).toEqual({ strength: 3.5, strengthFar: 2.6 });
    // The config a new run is created with is the recipe file, key for key.
    expect(newCycleGanConfig(o)).toEqual(recipe());
    expect(newCycleGanConfig(o)).not.toEqual({ ...defaultCycleGanConfig(64, { totalSteps: 3000 }), batchSize: 2 });
  });

  it('lets --steps, --resolution, --batch and --seed reshape the recipe, keeping its 2:1 learning-rate split', () => {
    const o = parseTrainOptions({ ...base, steps: '6000', resolution: '128', batch: '1', seed: '7' });
    const c = newCycleGanConfig(o);
    expect(c).toMatchObject({ resolution: 128, batchSize: 1, seed: 7 });
    expect(c.optim).toMatchObject({ constantSteps: 4000, decaySteps: 2000 });
    expect(c.loss).toEqual(recipe().loss);
    expect(c.domains).toEqual(recipe().domains);
  });

  it('finds the shipped prototype in the assets folder it is given (the CLI: beside its bundle)', async () => {
    const assets = await mkdtemp(path.join(tmpdir(), 'assets-'));
    try {
      await mkdir(path.join(assets, 'models', 'prototype'), { recursive: true });
      await writeFile(path.join(assets, 'models', 'prototype', 'meta.json'), '{}');
      expect(parseTrainOptions(base, { assetsDir: assets }).teacher).toBe(path.join(assets, 'models', 'prototype'));
      // An assets folder without it: the working directory's assets/ (the repo here).
      expect(parseTrainOptions(base, { assetsDir: path.join(assets, 'nothing') }).teacher).toBe(SHIPPED_PROTOTYPE);
    } finally {
      await rm(assets, { recursive: true, force: true });
    }
  });

  it('an explicit --teacher replaces the prototype and keeps its own strengths', () => {
    const o = parseTrainOptions({ ...base, teacher: 'my-proto' });
    expect(o.recipe).toBe('distil-prototype');
    expect(o.teacher).toBe(path.resolve('my-proto'));
    expect(o.teacherOptions).toBeNull();
  });

  it('--config leaves the recipe out and adds a teacher only when the config needs one', () => {
    const plain = parseTrainOptions({ ...base, config: '{"poolSize":7}' });
    expect(plain).toMatchObject({ recipe: null, resolution: 128, batch: 1, steps: 20000, teacher: null, teacherOptions: null });
    expect(plain.configOverrides).toEqual({ poolSize: 7 });
    expect(newCycleGanConfig(plain)).toEqual({ ...defaultCycleGanConfig(128, { totalSteps: 20000 }), poolSize: 7 });

    const distil = parseTrainOptions({ ...base, config: '{"loss":{"teacher":5}}' });
    expect(distil.recipe).toBeNull();
    expect(distil.teacher).toBe(SHIPPED_PROTOTYPE);
    expect(distil.teacherOptions).toBeNull();
    const prior = parseTrainOptions({ ...base, config: '{"generator":{"prior":"prototype"}}' });
    expect(prior.teacher).toBe(SHIPPED_PROTOTYPE);

    // The recipe file through --config: today's command, merged over the defaults at --resolution/--steps.
    const file = parseTrainOptions({ ...base, config: RECIPE_FILE, resolution: '64', steps: '3000', batch: '2' });
    expect(file.recipe).toBeNull();
    expect(newCycleGanConfig(file)).toEqual(recipe());
  });

  it('--teacher none opts out: the plain default config, no teacher', () => {
    const o = parseTrainOptions({ ...base, teacher: 'none' });
    expect(o).toMatchObject({ recipe: null, teacher: null, configOverrides: null, resolution: 128, batch: 1, steps: 20000 });
    expect(newCycleGanConfig(o)).toEqual(defaultCycleGanConfig(128, { totalSteps: 20000 }));
    const withConfig = parseTrainOptions({ ...base, teacher: 'none', config: '{"poolSize":3}' });
    expect(withConfig).toMatchObject({ recipe: null, teacher: null, configOverrides: { poolSize: 3 } });
    // Other kinds keep their defaults.
    expect(parseTrainOptions({ ...base, kind: 'age-cgan' })).toMatchObject({ recipe: null, teacher: null, configOverrides: null, resolution: 64, batch: 8 });
  });
});

describe('train --kind cyclegan, a real short run through the command', () => {
  let dir = '';
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', threads: 1 });
    dir = await mkdtemp(path.join(tmpdir(), 'train-cyclegan-defaults-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('distils the shipped prototype with the recipe, and a resume keeps the saved config', async () => {
    const run = path.join(dir, 'run');
    // The committed portrait crops (18 faces, 7 of them in the sampled 18-29 and 60+ domains).
    const args = { kind: 'cyclegan', data: FACES, run, steps: '2', 'val-fraction': '0', 'sample-every': '0', 'log-every': '1' };
    const first = await runTrainCommand(parseTrainOptions(args));
    expect(first).toMatchObject({ step: 2, completed: true, kind: 'cyclegan' });
    expect(Number.isFinite(first.losses.G_teacher)).toBe(true);
    expect(first.losses.G_teacher).toBeGreaterThan(0);
    const ckpt = (await latestCheckpoint(run))!;
    const saved = (await readCycleGanMeta(ckpt.dir)).config;
    expect(saved.loss.teacher).toBe(50);
    expect(saved.loss.reconstruction).toBe('charbonnier');
    expect(saved.resolution).toBe(64);
    expect(saved.optim).toMatchObject({ constantSteps: 1, decaySteps: 1 });
    const rows = (await readFile(path.join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; losses?: Record<string, number> });
    const lossRows = rows.filter((r) => r.type === 'loss');
    expect(lossRows.length).toBe(2);
    expect(lossRows.every((r) => typeof r.losses?.G_teacher === 'number')).toBe(true);

    // Resumed with 3 steps: a new run would split them 2:1, the saved run keeps its 1:1.
    const resumed = parseTrainOptions({ ...args, steps: '3', resume: true });
    expect(newCycleGanConfig(resumed).optim).toMatchObject({ constantSteps: 2, decaySteps: 1 });
    const second = await runTrainCommand(resumed);
    expect(second).toMatchObject({ step: 3, resumedFrom: 2, completed: true });
    const after = (await readCycleGanMeta((await latestCheckpoint(run))!.dir)).config;
    expect(after).toEqual(saved);
    expect(Number.isFinite(second.losses.G_teacher)).toBe(true);
  }, 50_000);

  it("draws its faces from the run's own age domains: the recipe trains on faces aged 30-59, the plain defaults have none there", async () => {
    // Only the fixture faces labelled 30-59: between the plain defaults' domains (18-29, 60+),
    // inside the recipe's adult and middle domains.
    const mid = path.join(dir, 'mid-faces');
    await mkdir(mid, { recursive: true });
    const rows = readFileSync(path.join(FACES, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const kept = rows.filter(([, age]) => Number(age) >= 30 && Number(age) <= 59);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const [file] of kept) await copyFile(path.join(FACES, file), path.join(mid, file));
    await writeFile(path.join(mid, 'labels.csv'), ['file,age', ...kept.map((r) => r.join(','))].join('\n') + '\n');
    const args = { kind: 'cyclegan', data: mid, steps: '1', 'val-fraction': '0', 'sample-every': '0', 'log-every': '1' };
    const r = await runTrainCommand(parseTrainOptions({ ...args, run: path.join(dir, 'mid-run') }));
    expect(r).toMatchObject({ step: 1, completed: true });
    await expect(runTrainCommand(parseTrainOptions({ ...args, teacher: 'none', resolution: '64', run: path.join(dir, 'mid-plain') }))).rejects.toThrow(/age filter/);
  }, 50_000);
});
