/**
 * Files of a studio fine-tune's run folder (<library>/training/run-N/) that main reads to decide
 * whether and how a run can go on:
 *   data/labels.csv   the aligned crops' labels (file,age), written last by prepareData
 *   work/checkpoints  the training child's checkpoints (models/core/checkpoint.ts layout)
 *   child.pid         the pid of the newest training child forked for the run
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { StudioFailure } from '../../core/router';
import type { EngineSupervisor } from '../supervisor';
import type { Library } from '../../library/library';
import type { PhotoDetail } from '../../library/types';
import type { IdentityConsistency } from './identity-consistency';

/** Used when the face has no age estimate (same fallback as aging previews). */
export const FALLBACK_AGE = 35;
/** Crops are stored at 128 px; the dataset resizes them to the base model's resolution. */
const CROP_SIZE = 128;

/** Aligned 128 px crops of the usable faces (cut by the engine) + labels.csv (file,age) in dataDir. */
export async function prepareCrops(supervisor: EngineSupervisor, lib: Library, dataDir: string, photos: PhotoDetail[], check: IdentityConsistency): Promise<number> {
  await fs.mkdir(dataDir, { recursive: true });
  const rows = ['file,age'];
  for (const f of check.faces) {
    const photo = photos.find((p) => p.id === f.photoId) as PhotoDetail;
    const face = photo.faces[f.faceIndex];
    const r = await supervisor.request('faceCrop', { path: lib.photoFilePath(photo.id), landmarks: face.landmarks, size: CROP_SIZE });
    if (!r.ok) throw new StudioFailure(r.error.code === 'cancelled' ? 'cancelled' : 'internal', `aligning photo ${photo.id}: ${r.error.message}`);
    const file = `photo-${photo.id}.png`;
    await fs.writeFile(join(dataDir, file), r.value.bytes);
    rows.push(`${file},${Math.round(photo.labelAge ?? face.age ?? FALLBACK_AGE)}`);
  }
  // Written last and whole: its presence tells a resumed run the crops are complete.
  await writeFileReplacing(join(dataDir, 'labels.csv'), rows.join('\n') + '\n');
  return rows.length - 1;
}

/** A complete checkpoint (step-N/run-state.json) in a run's work folder. */
export async function hasCheckpoint(workDir: string): Promise<boolean> {
  const names = await fs.readdir(join(workDir, 'checkpoints')).catch(() => [] as string[]);
  for (const n of names) {
    if (/^step-\d+$/.test(n) && (await fs.stat(join(workDir, 'checkpoints', n, 'run-state.json')).catch(() => null))) return true;
  }
  return false;
}

/** Crops listed in data/labels.csv whose file is there; 0 when the list is missing or cut short. */
export async function countCrops(dataDir: string): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(join(dataDir, 'labels.csv'), 'utf8');
  } catch {
    return 0;
  }
  const rows = text.trim().split(/\r?\n/).slice(1).filter((r) => /^[^,]+,\d+(\.\d+)?$/.test(r));
  for (const r of rows) {
    if (!(await fs.stat(join(dataDir, r.split(',')[0])).catch(() => null))) return 0;
  }
  return rows.length;
}

/** Writes a file through a temp name and a rename: a kill leaves the old file or the new one. */
export async function writeFileReplacing(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

export async function recordChildPid(runDir: string, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  await fs.mkdir(runDir, { recursive: true });
  await writeFileReplacing(join(runDir, 'child.pid'), String(pid));
}

/** The child exited: its pid may go to another process, which must not look like our child. */
export async function forgetChildPid(runDir: string, pid: number | undefined): Promise<void> {
  const file = join(runDir, 'child.pid');
  if (pid !== undefined && (await fs.readFile(file, 'utf8').catch(() => '')) === String(pid)) await fs.rm(file, { force: true });
}

/**
 * Whether the run's last training child still runs: a studio that died leaves its child to
 * notice the lost channel, checkpoint and exit (up to a step plus a checkpoint); a second child
 * in the same work folder before then would race it for the checkpoints.
 */
export async function previousChildAlive(runDir: string): Promise<boolean> {
  const pid = Number(await fs.readFile(join(runDir, 'child.pid'), 'utf8').catch(() => ''));
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone; EPERM: a process of another user took the pid over, so ours is gone too.
    return false;
  }
}
