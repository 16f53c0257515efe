/**
 * Turns the --model argument of `face-age eval` into something evaluateModel runs:
 *   no-change   the unchanged input (baseline)
 *   prototype   the shipped prototype baseline (assets/models/prototype), or `prototypeDir`
 *   <folder>    a model folder, loaded by loadAgingModel (models/registry.ts)
 */
import * as path from 'node:path';
import { shippedModelDir } from '../core/shipped-assets';
import type { EvaluableModel } from '../core/trainer';
import { loadAgingModel } from '../registry';

export interface LoadedEvalModel {
  model: EvaluableModel | 'no-change';
  name: string;
}

export async function loadEvalModel(spec: string, opts: { prototypeDir?: string } = {}): Promise<LoadedEvalModel> {
  if (spec === 'no-change') return { model: 'no-change', name: 'no-change' };
  const dir = spec === 'prototype' ? (opts.prototypeDir ?? shippedModelDir('prototype')) : spec;
  const name = spec === 'prototype' ? 'prototype' : path.basename(path.resolve(dir));
  return { model: await loadAgingModel(dir, spec), name };
}
