/**
 * loadAgingModel(dir): the one loader of a model folder, used by the engine (previews, exports),
 * the CLI (through the engine), evaluation (eval/load-model.ts) and the fine-tune benchmarks.
 * It dispatches on the folder's meta.json:
 *   a prototype (PROTOTYPE_FORMAT)      recipes/prototype/checkpoint.ts loadPrototypeModel
 *   kind 'cyclegan'                     recipes/cyclegan/model.ts loadCycleGanModel
 *   kind 'age-cgan'                     recipes/age-cgan/model.ts loadAgeCganModel
 *   the engineered stages (ENGINEERED_FORMAT) stages/engineered-model.ts (its own texture stage)
 * and wraps the model in the stages every shipped model runs through (stages/: the texture stage
 * when the folder has texture.json). Library model ids are resolved to folders by main's library.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EvaluableModel } from './core/trainer';
import { loadAgeCganModel } from './recipes/age-cgan/model';
import { loadCycleGanModel } from './recipes/cyclegan/model';
import { PROTOTYPE_FORMAT, loadPrototypeModel } from './recipes/prototype/checkpoint';
import { loadTextureStage, type TextureStage } from './stages/texture';
import { TexturedAgingModel } from './stages/textured-model';
import { ENGINEERED_FORMAT, loadEngineeredModel } from './stages/engineered-model';

/** The model in `dir` with its stages; `label` names it in errors (default: the folder). */
export async function loadAgingModel(dir: string, label = dir): Promise<EvaluableModel> {
  const metaFile = path.join(dir, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new Error(`model "${label}": ${dir} is not a model folder (no meta.json); give no-change, prototype or a model folder`);
  }
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { format?: string; kind?: string };
  if (meta.format === ENGINEERED_FORMAT) return loadEngineeredModel(dir);
  let model: EvaluableModel;
  if (meta.format === PROTOTYPE_FORMAT) model = await loadPrototypeModel(dir);
  else if (meta.kind === 'cyclegan') model = await loadCycleGanModel(dir);
  else if (meta.kind === 'age-cgan') model = await loadAgeCganModel(dir);
  else throw new Error(`model "${label}": unknown model kind ${String(meta.kind ?? meta.format)} in ${metaFile}`);
  // The texture stage when the folder has one (strength 0: nothing added, but the studio shows the
  // face at its size in the photo).
  let texture: TextureStage | null;
  try {
    texture = await loadTextureStage(dir);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return texture ? new TexturedAgingModel(model, texture) : model;
}
