/**
 * Options of `face-age train` (models/training/train-command.ts): parseArgs' table, validation of
 * the parsed strings, the CycleGAN's default recipe and teacher, and the --config merge.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { defaultCycleGanConfig, type CycleGanConfig } from '../recipes/cyclegan/config';
import {
  DEFAULT_CYCLEGAN_RECIPE,
  DEFAULT_CYCLEGAN_TEACHER_OPTIONS,
  NO_TEACHER,
  cycleGanRecipeOverrides,
  cycleGanRecipeRun,
  defaultTeacherDir,
} from '../recipes/cyclegan/default-recipe';

export type TrainKind = 'age-cgan' | 'cyclegan' | 'age-classifier';

export interface TrainCommandOptions {
  kind: TrainKind;
  /** A packed dataset folder (meta.json + crops.bin + index.csv) or a folder of images + labels.csv. */
  data: string;
  run: string;
  resolution: number;
  steps: number;
  batch: number;
  resume: boolean;
  seed: number;
  /** Frozen age classifier folder for the CycleGAN's age loss. */
  classifier: string | null;
  /**
   * Prototype model folder whose age change the CycleGAN distils (config.loss.teacher). A CycleGAN
   * whose config needs one and no --teacher: the shipped prototype; `--teacher none`: null.
   */
  teacher: string | null;
  /** Overrides of the teacher's saved options, e.g. {"strength":4}. */
  teacherOptions: Record<string, unknown> | null;
  /** Weight of the identity-descriptor loss in CycleGAN training (0: off). */
  descriptorWeight: number;
  checkpointMinutes: number;
  sampleEvery: number;
  logEvery: number;
  /** Share of a plain folder held out for validation (packed datasets carry their own split). */
  valFraction: number;
  /** Keep a decoded image folder here as a pack, so later runs start at once. */
  dataCache: string | null;
  /** Time budget of this session in minutes (stop with a checkpoint; resume later). */
  maxMinutes: number | null;
  /** After completion (or the end of the time budget), write the shipped form (fp16) here. */
  exportDir: string | null;
  /**
   * Changes to the model's default config for a new run (a JSON object, merged key by key into the
   * defaults), e.g. {"generator":{"output":"residual"}}; a resumed run keeps its saved config.
   */
  configOverrides: Record<string, unknown> | null;
  /**
   * The committed recipe in configOverrides when it came by default ('distil-prototype' for a
   * CycleGAN given neither --config nor `--teacher none`; cyclegan-default-recipe.ts), else null.
   */
  recipe: string | null;
  json: boolean;
}

/** Where parseTrainOptions finds shipped models (the CLI: the assets folder beside its bundle). */
export interface TrainParseEnv {
  assetsDir?: string;
}

/** For node:util parseArgs (the CLI merges these into its `train` command). */
export const TRAIN_ARG_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  kind: { type: 'string' },
  data: { type: 'string' },
  run: { type: 'string' },
  resolution: { type: 'string' },
  steps: { type: 'string' },
  batch: { type: 'string' },
  resume: { type: 'boolean' },
  seed: { type: 'string' },
  classifier: { type: 'string' },
  teacher: { type: 'string' },
  'teacher-options': { type: 'string' },
  'descriptor-weight': { type: 'string' },
  'checkpoint-minutes': { type: 'string' },
  'sample-every': { type: 'string' },
  'log-every': { type: 'string' },
  'val-fraction': { type: 'string' },
  export: { type: 'string' },
  'max-minutes': { type: 'string' },
  'data-cache': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
};

const DEFAULTS: Record<TrainKind, { resolution: number; batch: number; steps: number }> = {
  cyclegan: { resolution: 128, batch: 1, steps: 20000 },
  'age-cgan': { resolution: 64, batch: 8, steps: 20000 },
  'age-classifier': { resolution: 64, batch: 32, steps: 3000 },
};

/**
 * Validates parsed values (strings from parseArgs) into options; throws with a usage-style message.
 * A CycleGAN without --config trains the distil-prototype recipe (its 64 px, batch 2 and 3,000
 * steps unless given) with the shipped prototype as teacher; `--teacher none` opts out of both.
 */
export function parseTrainOptions(v: Record<string, unknown>, env: TrainParseEnv = {}): TrainCommandOptions {
  const kind = v.kind as string;
  if (kind !== 'age-cgan' && kind !== 'cyclegan' && kind !== 'age-classifier') {
    throw new Error('--kind must be age-cgan, cyclegan or age-classifier');
  }
  if (typeof v.data !== 'string' || !v.data) throw new Error('--data DIR is required (a packed dataset or a folder with labels.csv)');
  if (typeof v.run !== 'string' || !v.run) throw new Error('--run DIR is required (where checkpoints, samples and metrics go)');
  const noTeacher = v.teacher === NO_TEACHER;
  const recipe = kind === 'cyclegan' && v.config === undefined && !noTeacher ? DEFAULT_CYCLEGAN_RECIPE : null;
  const d = recipe ? cycleGanRecipeRun() : DEFAULTS[kind];
  const int = (name: string, def: number, min = 1) => {
    const raw = v[name];
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const resolution = int('resolution', d.resolution);
  if (![64, 96, 128].includes(resolution) && kind !== 'age-classifier') throw new Error('--resolution must be 64, 96 or 128');
  const valFraction = v['val-fraction'] === undefined ? 0.1 : Number(v['val-fraction']);
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error('--val-fraction must be in [0, 1)');
  const minutes = v['checkpoint-minutes'] === undefined ? 5 : Number(v['checkpoint-minutes']);
  if (!(minutes > 0)) throw new Error('--checkpoint-minutes must be > 0');
  const steps = int('steps', d.steps);
  const batch = int('batch', d.batch);
  const seed = int('seed', 1, 0);
  const configOverrides = recipe ? cycleGanRecipeOverrides({ resolution, batch, steps, seed }) : parseConfigOverrides(v.config);
  let teacher = typeof v.teacher === 'string' && !noTeacher ? path.resolve(v.teacher) : null;
  let teacherOptions = v['teacher-options'] === undefined ? null : parseConfigOverrides(v['teacher-options']);
  // The implicit teacher, when a new run's config needs one. A resumed run keeps its saved config,
  // and the trainer leaves a teacher unused when that config has no teacher term or prior.
  if (kind === 'cyclegan' && v.teacher === undefined && cycleGanNeedsTeacher(resolution, steps, configOverrides)) {
    teacher = defaultTeacherDir(env.assetsDir);
    if (recipe && !teacherOptions) teacherOptions = { ...DEFAULT_CYCLEGAN_TEACHER_OPTIONS };
  }
  return {
    kind,
    data: path.resolve(v.data),
    run: path.resolve(v.run),
    resolution,
    steps,
    batch,
    resume: v.resume === true,
    seed,
    classifier: typeof v.classifier === 'string' ? path.resolve(v.classifier) : null,
    teacher,
    teacherOptions,
    descriptorWeight: descriptorWeightOf(v['descriptor-weight']),
    checkpointMinutes: minutes,
    sampleEvery: int('sample-every', 200, 0),
    logEvery: int('log-every', 10),
    valFraction,
    dataCache: typeof v['data-cache'] === 'string' ? path.resolve(v['data-cache']) : null,
    maxMinutes: v['max-minutes'] === undefined ? null : Math.max(0.1, Number(v['max-minutes'])),
    exportDir: typeof v.export === 'string' ? path.resolve(v.export) : null,
    configOverrides,
    recipe,
    json: v.json === true,
  };
}

function cycleGanNeedsTeacher(resolution: number, steps: number, overrides: Record<string, unknown> | null): boolean {
  const c = mergeConfig(defaultCycleGanConfig(resolution, { totalSteps: steps }), overrides);
  return (c.loss.teacher ?? 0) > 0 || (c.generator.prior ?? 'none') !== 'none';
}

/** A new CycleGAN run's config: the defaults at the run's shape, then the overrides. */
export function newCycleGanConfig(o: TrainCommandOptions): CycleGanConfig {
  return mergeConfig({ ...defaultCycleGanConfig(o.resolution, { totalSteps: o.steps }), batchSize: o.batch, seed: o.seed }, o.configOverrides);
}

function descriptorWeightOf(raw: unknown): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!(n >= 0) || !Number.isFinite(n)) throw new Error('--descriptor-weight must be a number >= 0');
  return n;
}

/** --config: inline JSON or a JSON file; must be an object. */
function parseConfigOverrides(raw: unknown): Record<string, unknown> | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !raw.trim()) throw new Error('--config must be a JSON object or a JSON file');
  let text = raw.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(path.resolve(text), 'utf8');
    } catch (e) {
      throw new Error(`--config: cannot read ${raw}`, { cause: e });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`--config is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--config must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Merges plain objects key by key (arrays and values replace); unsafe keys are refused. */
export function mergeConfig<T>(base: T, over: Record<string, unknown> | null): T {
  if (!over) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new Error(`--config: key "${k}" is not allowed`);
    if (!(k in out)) throw new Error(`--config: unknown key "${k}"`);
    const cur = out[k];
    const isObj = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObj(cur) && isObj(v) ? mergeConfig(cur, v as Record<string, unknown>) : v;
  }
  return out as T;
}
