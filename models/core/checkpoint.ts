/**
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
import { writeFileAtomic } from './atomic-write';

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
