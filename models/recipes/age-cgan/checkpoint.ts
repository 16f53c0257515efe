/**
 * Checkpoint folder of Age-cGAN (self-describing; meta.json is written last, so a folder with a
 * meta.json is complete):
 *   meta.json                 CheckpointMeta<AgeCganConfig>: config, version, step, losses, metrics
 *   G.json/.bin D.json/.bin E.json/.bin        weights (ParamStore format; float32, or float16 exports)
 *   optim-G.json/.bin ...     Adam state (iterations, moments), so resume continues exactly
 * An exported inference model holds meta.json + G + E only.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointMeta } from '../../core/trainer';
import type { ParamStore, StoredDtype } from '../../nn/params';
import { writeFileAtomic } from '../../core/atomic-write';
import { loadOptimizerState, saveOptimizerState } from '../../core/optimizer-state';
import type { AgeCganConfig } from './config';
import { resolveAgeCganConfig } from './config';
import { Encoder, Generator } from './networks';
import type { AgeCganTrainer } from './trainer';

export const AGE_CGAN_CODE_VERSION = 'age-cgan/1';
export const META_FILE = 'meta.json';

export type AgeCganMeta = CheckpointMeta<AgeCganConfig>;

export interface CheckpointInfo {
  createdAt: string;
  losses: Record<string, number>;
  metrics: Record<string, number>;
  totalSteps: number;
  completed: boolean;
}

function makeMeta(config: AgeCganConfig, step: number, info: CheckpointInfo): AgeCganMeta {
  return {
    format: 'face-age-checkpoint',
    version: 1,
    kind: 'age-cgan',
    config,
    step,
    totalSteps: info.totalSteps,
    completed: info.completed,
    losses: info.losses,
    metrics: info.metrics,
    createdAt: info.createdAt,
    updatedAt: new Date().toISOString(),
    codeVersion: AGE_CGAN_CODE_VERSION,
  };
}

export async function writeCheckpoint(dir: string, t: AgeCganTrainer, info: CheckpointInfo): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await t.G.params.save(dir);
  await t.D.params.save(dir);
  await t.E.params.save(dir);
  await saveOptimizerState(t.optG, dir, 'optim-G');
  await saveOptimizerState(t.optD, dir, 'optim-D');
  await saveOptimizerState(t.optE, dir, 'optim-E');
  await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(makeMeta(t.config, t.step, info), null, 1));
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
  await fs.mkdir(dir, { recursive: true });
  await nets.G.save(dir, dtype);
  await nets.E.save(dir, dtype);
  await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(makeMeta(config, step, info), null, 1));
}

/** Reads and checks meta.json; with a trainer, also loads its weights and optimizer state. */
export async function readCheckpoint(dir: string, into?: AgeCganTrainer): Promise<AgeCganMeta> {
  let meta: AgeCganMeta;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, META_FILE), 'utf8')) as AgeCganMeta;
  } catch (e) {
    throw new Error(`${dir} is not an Age-cGAN checkpoint (${(e as Error).message})`, { cause: e });
  }
  if (meta.format !== 'face-age-checkpoint' || meta.version !== 1) throw new Error(`${dir}/${META_FILE}: unknown format`);
  if (meta.kind !== 'age-cgan') throw new Error(`${dir} holds a ${String(meta.kind)} model, not age-cgan`);
  if (!Number.isInteger(meta.step) || meta.step < 0) throw new Error(`${dir}/${META_FILE}: bad step`);
  if (into) {
    await loadNetworkWeights(dir, [into.G.params, into.D.params, into.E.params]);
    await loadOptimizerState(into.optG, dir, 'optim-G');
    await loadOptimizerState(into.optD, dir, 'optim-D');
    await loadOptimizerState(into.optE, dir, 'optim-E');
  }
  return meta;
}

export async function loadNetworkWeights(dir: string, stores: ParamStore[]): Promise<void> {
  for (const s of stores) await s.load(dir);
}

/** G and E of a checkpoint or export, for inference; the caller owns (disposes) them. */
export async function loadInferenceNets(dir: string): Promise<{ meta: AgeCganMeta; config: AgeCganConfig; G: Generator; E: Encoder }> {
  const meta = await readCheckpoint(dir);
  const config = resolveAgeCganConfig(meta.config);
  const G = new Generator(config);
  const E = new Encoder(config);
  try {
    await loadNetworkWeights(dir, [G.params, E.params]);
  } catch (e) {
    G.dispose();
    E.dispose();
    throw e;
  }
  return { meta, config, G, E };
}
