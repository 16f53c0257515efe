/**
 * The one checkpoint module: what a checkpoint folder holds and how a run keeps them.
 *
 * A checkpoint or model folder (any recipe):
 *   meta.json                 CheckpointMeta: kind, config, step, losses, metrics, code version;
 *                             written LAST, so a folder with a meta.json is complete
 *   <network>.json/.bin       weights of each network (nn/params.ts ParamStore format), float32 in
 *                             a checkpoint, float16 in an exported model (half the size)
 *   optim-<network>.json/.bin optimizer state (core/optimizer-state.ts), so a resume continues exactly
 * plus whatever a recipe adds (the CycleGAN's image pool, a prior/ folder, finetune.json).
 *
 * Checkpoint folders of a training run:
 *   <run>/checkpoints/step-000001200/   complete checkpoint (trainer files + run-state.json)
 *   <run>/checkpoints/.tmp-...          being written; never read, removed on the next start
 * A checkpoint is written into a temp folder and renamed into place only once complete, so a
 * crash or SIGKILL at any moment leaves either the previous checkpoints or a new complete one.
 * run-state.json is written last inside the temp folder, so a step-* folder without it (which
 * only a foreign hand could produce) is also ignored.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from './atomic-write';
import { loadOptimizerState, saveOptimizerState } from './optimizer-state';
import type { CheckpointMeta, ModelKind, TrainerParts } from './trainer';
import type { ParamStore, StoredDtype } from '../nn/params';

export const META_FILE = 'meta.json';

/** What a save records besides the config and the step. */
export interface CheckpointInfo {
  createdAt: string;
  losses: Record<string, number>;
  metrics: Record<string, number>;
  totalSteps: number;
  completed: boolean;
}

export function checkpointMeta<Config>(kind: ModelKind, codeVersion: string, config: Config, step: number, info: CheckpointInfo): CheckpointMeta<Config> {
  return {
    format: 'face-age-checkpoint',
    version: 1,
    kind,
    config,
    step,
    totalSteps: info.totalSteps,
    completed: info.completed,
    losses: info.losses,
    metrics: info.metrics,
    createdAt: info.createdAt,
    updatedAt: new Date().toISOString(),
    codeVersion,
  };
}

/** meta.json, atomically; call it last so its presence means the folder is complete. */
export async function writeMeta(dir: string, meta: CheckpointMeta): Promise<void> {
  await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta, null, 1));
}

/** The createdAt of a folder's existing meta.json (a re-save keeps it), else `fallback`. */
export async function existingCreatedAt(dir: string, fallback: string): Promise<string> {
  try {
    return (JSON.parse(await fs.readFile(path.join(dir, META_FILE), 'utf8')) as CheckpointMeta).createdAt ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * Reads and checks meta.json of a `kind` folder. `label` names the kind in errors
 * ("<dir> is not an Age-cGAN checkpoint (...)").
 */
export async function readMeta<Config>(dir: string, kind: ModelKind, label: string): Promise<CheckpointMeta<Config>> {
  let meta: CheckpointMeta<Config>;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, META_FILE), 'utf8')) as CheckpointMeta<Config>;
  } catch (e) {
    throw new Error(`${dir} is not ${label} checkpoint (${(e as Error).message})`, { cause: e });
  }
  if (meta.format !== 'face-age-checkpoint' || meta.version !== 1) throw new Error(`${dir}/${META_FILE}: unknown format`);
  if (meta.kind !== kind) throw new Error(`${dir} holds a ${String(meta.kind)} model, not ${kind}`);
  if (!Number.isInteger(meta.step) || meta.step < 0) throw new Error(`${dir}/${META_FILE}: bad step`);
  return meta;
}

const optimizerFile = (network: string) => `optim-${network}`;

/** Weights of `networks` (float32 for a checkpoint; float16 for an exported model). */
export async function saveWeights(dir: string, networks: readonly ParamStore[], dtype: StoredDtype = 'float32'): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const n of networks) await n.save(dir, dtype);
}

export async function loadWeights(dir: string, networks: readonly ParamStore[]): Promise<void> {
  for (const n of networks) await n.load(dir);
}

/** A trainer's networks (float32) and optimizer states. */
export async function saveParts(dir: string, parts: TrainerParts): Promise<void> {
  await saveWeights(dir, parts.networks);
  for (const [network, opt] of Object.entries(parts.optimizers)) await saveOptimizerState(opt, dir, optimizerFile(network));
}

/**
 * Restores what saveParts wrote. `legacyNames`: optimizer file names written before the names were
 * unified (network -> old name), read when `optim-<network>` is absent.
 */
export async function loadParts(dir: string, parts: TrainerParts, legacyNames: Readonly<Record<string, string>> = {}): Promise<void> {
  await loadWeights(dir, parts.networks);
  for (const [network, opt] of Object.entries(parts.optimizers)) await loadOptimizer(dir, network, opt, legacyNames[network]);
}

async function loadOptimizer(dir: string, network: string, opt: tf.Optimizer, legacy?: string): Promise<void> {
  const name = optimizerFile(network);
  if (legacy) {
    const has = await fs.access(path.join(dir, `${name}.json`)).then(() => true, () => false);
    if (!has) return loadOptimizerState(opt, dir, legacy);
  }
  await loadOptimizerState(opt, dir, name);
}

export const RUN_STATE_FILE = 'run-state.json';

/** The loop's own state, stored beside the trainer's files in every checkpoint. */
export interface RunState {
  format: 'face-age-run-state';
  version: 1;
  kind: string;
  step: number;
  totalSteps: number;
  batchSize: number;
  seed: number;
  /** Training seconds accumulated over all sessions of this run (for "hours of training"). */
  trainSeconds: number;
  savedAt: string;
}

export interface CheckpointRef {
  step: number;
  dir: string;
}

export function checkpointsDir(runDir: string): string {
  return path.join(runDir, 'checkpoints');
}

function stepName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

/** Complete checkpoints, oldest first. */
export async function listCheckpoints(runDir: string): Promise<CheckpointRef[]> {
  const root = checkpointsDir(runDir);
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return [];
  }
  const out: CheckpointRef[] = [];
  for (const name of names) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m) continue;
    const dir = path.join(root, name);
    try {
      await fs.access(path.join(dir, RUN_STATE_FILE));
    } catch {
      continue;
    }
    out.push({ step: Number(m[1]), dir });
  }
  return out.sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(runDir: string): Promise<CheckpointRef | null> {
  const all = await listCheckpoints(runDir);
  return all.length ? all[all.length - 1] : null;
}

export async function readRunState(checkpointDir: string): Promise<RunState> {
  const s = JSON.parse(await fs.readFile(path.join(checkpointDir, RUN_STATE_FILE), 'utf8')) as RunState;
  if (s.format !== 'face-age-run-state') throw new Error(`${checkpointDir} has no valid ${RUN_STATE_FILE}`);
  return s;
}

/** Removes temp folders left by a crash mid-write. */
export async function removeStaleTemps(runDir: string): Promise<number> {
  const root = checkpointsDir(runDir);
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return 0;
  }
  const stale = names.filter((n) => n.startsWith('.tmp-') || n.startsWith('.old-'));
  for (const n of stale) await fs.rm(path.join(root, n), { recursive: true, force: true });
  return stale.length;
}

/**
 * Writes a checkpoint: `write(tmpDir)` puts the trainer's files into a fresh temp folder, then
 * run-state.json goes in last and the folder is renamed to step-N. Keeps the newest `keep`.
 */
export async function writeCheckpoint(
  runDir: string,
  state: RunState,
  write: (tmpDir: string) => Promise<void>,
  keep = 2,
): Promise<CheckpointRef> {
  const root = checkpointsDir(runDir);
  await fs.mkdir(root, { recursive: true });
  const tmp = path.join(root, `.tmp-${stepName(state.step)}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    await write(tmp);
    await writeFileAtomic(path.join(tmp, RUN_STATE_FILE), JSON.stringify(state, null, 1));
    const final = path.join(root, stepName(state.step));
    // Re-saving the same step (cancel right after a periodic save): move the old one aside first,
    // because rename cannot replace a non-empty folder.
    const aside = path.join(root, `.old-${stepName(state.step)}-${randomBytes(4).toString('hex')}`);
    const existed = await fs.rename(final, aside).then(() => true, () => false);
    await fs.rename(tmp, final);
    if (existed) await fs.rm(aside, { recursive: true, force: true });
    const dh = await fs.open(root, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const all = await listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    // Renamed aside first: a kill during the recursive delete must not leave a step-N folder that
    // still has run-state.json but lost its weights (seen in the kill -9 suite); a stale .old-
    // folder is removed at the next start (removeStaleTemps).
    const doomed = path.join(root, `.old-${path.basename(old.dir)}-${randomBytes(4).toString('hex')}`);
    await fs.rename(old.dir, doomed);
    await fs.rm(doomed, { recursive: true, force: true });
  }
  return { step: state.step, dir: path.join(root, stepName(state.step)) };
}
