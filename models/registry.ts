/**
 * Turns the --model argument of `face-age eval` into something evaluateModel runs:
 *   no-change   the unchanged input (baseline)
 *   prototype   the prototype baseline shipped in assets/models/prototype (or `prototypeDir`)
 *   <folder>    a model folder, dispatched on its meta.json: a prototype, or a CycleGAN / Age-cGAN
 *               checkpoint or export (CheckpointMeta.kind)
 * Library model ids are resolved to folders by the caller (main's library), not here.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadAgeCganModel } from './recipes/age-cgan/model';
import { loadCycleGanModel } from './recipes/cyclegan/model';
import { PROTOTYPE_FORMAT, loadPrototypeModel } from './recipes/prototype/checkpoint';
import { TexturedAgingModel, loadTextureStage, type TextureStage } from './stages/texture';
import type { EvaluableModel } from './eval/evaluate';

export interface LoadedEvalModel {
  model: EvaluableModel | 'no-change';
  name: string;
}

export async function loadEvalModel(spec: string, opts: { prototypeDir?: string } = {}): Promise<LoadedEvalModel> {
  if (spec === 'no-change') return { model: 'no-change', name: 'no-change' };
  const dir = spec === 'prototype' ? (opts.prototypeDir ?? path.resolve('assets', 'models', 'prototype')) : spec;
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new Error(`model "${spec}": ${dir} is not a model folder (no meta.json); give no-change, prototype or a model folder`);
  }
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { format?: string; kind?: string };
  const name = spec === 'prototype' ? 'prototype' : path.basename(path.resolve(dir));
  let model: EvaluableModel;
  if (meta.format === PROTOTYPE_FORMAT) model = await loadPrototypeModel(dir);
  else if (meta.kind === 'cyclegan') model = await loadCycleGanModel(dir);
  else if (meta.kind === 'age-cgan') model = await loadAgeCganModel(dir);
  else throw new Error(`model "${spec}": unknown model kind ${String(meta.kind ?? meta.format)} in ${metaFile}`);
  // The texture stage (prototype-texture.ts), when the folder has one (strength 0: nothing added,
  // but the studio shows the face at its size in the photo).
  let texture: TextureStage | null;
  try {
    texture = await loadTextureStage(dir);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model: texture ? new TexturedAgingModel(model, texture) : model, name };
}
