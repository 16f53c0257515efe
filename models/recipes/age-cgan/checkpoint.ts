/**
 * Checkpoint folder of Age-cGAN, in the layout of core/checkpoint.ts (meta.json written last):
 *   meta.json                 CheckpointMeta<AgeCganConfig>: config, version, step, losses, metrics
 *   G.json/.bin D.json/.bin E.json/.bin        weights (ParamStore format; float32, or float16 exports)
 *   optim-G.json/.bin ...     Adam state (iterations, moments), so resume continues exactly
 * An exported inference model holds meta.json + G + E only.
 */
import type { CheckpointMeta, TrainerParts } from '../../core/trainer';
import type { ParamStore, StoredDtype } from '../../nn/params';
import { checkpointMeta, loadParts, loadWeights, readMeta, saveParts, saveWeights, writeMeta, type CheckpointInfo } from '../../core/checkpoint';
import type { AgeCganConfig } from './config';
import { resolveAgeCganConfig } from './config';
import { Encoder, Generator } from './networks';

export const AGE_CGAN_CODE_VERSION = 'age-cgan/1';

export type AgeCganMeta = CheckpointMeta<AgeCganConfig>;
export type { CheckpointInfo };

/** Anything with an Age-cGAN config, a step and the parts to save (the trainer, the fine-tuner). */
interface Saveable {
  readonly config: AgeCganConfig;
  readonly step: number;
  checkpointParts(): TrainerParts;
}

export async function writeCheckpoint(dir: string, t: Saveable, info: CheckpointInfo): Promise<void> {
  await saveParts(dir, t.checkpointParts());
  await writeMeta(dir, checkpointMeta('age-cgan', AGE_CGAN_CODE_VERSION, t.config, t.step, info));
}

/** Writes an inference-only model (G and E, float16 by default: half the size) with its meta. */
export async function writeModelExport(
  dir: string,
  config: AgeCganConfig,
  step: number,
  nets: { G: ParamStore; E: ParamStore },
  info: CheckpointInfo,
  dtype: StoredDtype = 'float16',
): Promise<void> {
  await saveWeights(dir, [nets.G, nets.E], dtype);
  await writeMeta(dir, checkpointMeta('age-cgan', AGE_CGAN_CODE_VERSION, config, step, info));
}

/** Reads and checks meta.json; with parts (a trainer's), also loads its weights and optimizer state. */
export async function readCheckpoint(dir: string, into?: TrainerParts): Promise<AgeCganMeta> {
  const meta = await readMeta<AgeCganConfig>(dir, 'age-cgan', 'an Age-cGAN');
  if (into) await loadParts(dir, into);
  return meta;
}

/** G and E of a checkpoint or export, for inference; the caller owns (disposes) them. */
export async function loadInferenceNets(dir: string): Promise<{ meta: AgeCganMeta; config: AgeCganConfig; G: Generator; E: Encoder }> {
  const meta = await readCheckpoint(dir);
  const config = resolveAgeCganConfig(meta.config);
  const G = new Generator(config);
  const E = new Encoder(config);
  try {
    await loadWeights(dir, [G.params, E.params]);
  } catch (e) {
    G.dispose();
    E.dispose();
    throw e;
  }
  return { meta, config, G, E };
}
