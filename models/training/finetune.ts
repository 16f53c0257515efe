/**
 * Fine-tuning a base model on one person's aligned faces (issue 10): runFinetune reads the base
 * folder's meta.json and dispatches by kind, to the Age-cGAN or the CycleGAN recipe.

 *
 * The recipes: recipes/cyclegan/finetune.ts (run by finetune-cyclegan.ts) and
 * recipes/age-cgan/finetune.ts (run by finetune-age-cgan.ts); the spec, result and hooks they
 * share are in finetune-spec.ts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AGE_CGAN_FINETUNE_DEFAULTS } from '../recipes/age-cgan/finetune';
import { FINETUNE_DEFAULTS } from '../recipes/cyclegan/finetune';
import { runAgeCganFinetune } from './finetune-age-cgan';
import { runCycleGanFinetune } from './finetune-cyclegan';
import type { FinetuneHooks, FinetuneResult, FinetuneSpec } from './finetune-spec';

/** The default number of fine-tune steps for a base of this kind ('age-cgan', 'cyclegan'). */
export function defaultFinetuneSteps(kind: string): number {
  return kind === 'age-cgan' ? AGE_CGAN_FINETUNE_DEFAULTS.steps : FINETUNE_DEFAULTS.steps;
}

/** The kind recorded in a model folder's meta.json ('cyclegan', 'age-cgan', ...). */
export async function modelFolderKind(dir: string): Promise<string> {
  let meta: { kind?: unknown };
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { kind?: unknown };
  } catch (e) {
    throw new Error(`${dir} is not a model folder (${(e as Error).message})`, { cause: e });
  }
  return String(meta.kind);
}

/** Fine-tunes the base in spec.baseDir with the recipe of its kind. */
export async function runFinetune(spec: FinetuneSpec, hooks: FinetuneHooks = {}): Promise<FinetuneResult> {
  const kind = await modelFolderKind(spec.baseDir);
  if (kind === 'age-cgan') return runAgeCganFinetune(spec, hooks);
  if (kind !== 'cyclegan') throw new Error(`fine-tuning ${kind} models is not supported (only cyclegan and age-cgan)`);
  return runCycleGanFinetune(spec, hooks);
}
