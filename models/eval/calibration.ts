/**
 * The calibration reference of age.maeCalibrated: face-api's age estimator is biased (it calls
 * most people over 60 younger than they are), so "the output looks t years old" is judged against
 * what the same estimator says of real faces labelled t +- window years, measured through the same
 * pipeline as the outputs (measure.ts). The table is computed once per dataset / split /
 * resolution and cached as JSON.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write';

export interface ReferenceEntry {
  target: number;
  /** Mean face-api estimate over the reference faces; null when no face is in the window. */
  mean: number | null;
  /** Mean label of those faces and how many there were. */
  meanLabel: number | null;
  count: number;
}

export interface ReferenceTable {
  window: number;
  /** Identifies the dataset, split and measurement the table belongs to. */
  key: string;
  entries: ReferenceEntry[];
}

/**
 * Which faces the table uses: for each target, the faces labelled within +-window, at most
 * `perTarget` of them spread evenly over the candidates (deterministic). `labels[i]` is the label
 * of candidate i. Returns candidate positions per target (a face may serve two targets).
 */
export function selectReferenceFaces(labels: ArrayLike<number>, targets: readonly number[], window: number, perTarget: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const t of targets) {
    const near: number[] = [];
    for (let i = 0; i < labels.length; i++) if (Math.abs(labels[i] - t) <= window) near.push(i);
    const take = Math.min(perTarget, near.length);
    out.set(t, Array.from({ length: take }, (_, k) => near[Math.floor((k * near.length) / take)]));
  }
  return out;
}

/** The table from the estimated reference faces of each target: reference(t) = their mean estimate. */
export function buildReferenceTable(
  perTarget: ReadonlyMap<number, ReadonlyArray<{ label: number; estimate: number }>>,
  window: number,
  key: string,
): ReferenceTable {
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const entries = [...perTarget.entries()].map(([target, faces]): ReferenceEntry => {
    if (faces.length === 0) return { target, mean: null, meanLabel: null, count: 0 };
    return { target, mean: avg(faces.map((f) => f.estimate)), meanLabel: avg(faces.map((f) => f.label)), count: faces.length };
  });
  return { window, key, entries };
}

/** target -> reference estimate, for summarize(). */
export function referenceMap(table: ReferenceTable): Map<number, number> {
  const m = new Map<number, number>();
  for (const e of table.entries) if (e.mean !== null) m.set(e.target, e.mean);
  return m;
}

export function cacheFile(cacheDir: string, key: string): string {
  return path.join(cacheDir, `reference-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
}

/** The cached table for `key`, or null (missing, unreadable or for another key). */
export async function readCachedTable(cacheDir: string, key: string): Promise<ReferenceTable | null> {
  try {
    const t = JSON.parse(await fs.readFile(cacheFile(cacheDir, key), 'utf8')) as ReferenceTable;
    return t.key === key ? t : null;
  } catch {
    return null;
  }
}

export async function writeCachedTable(cacheDir: string, table: ReferenceTable): Promise<void> {
  await fs.mkdir(cacheDir, { recursive: true });
  await writeFileAtomic(cacheFile(cacheDir, table.key), JSON.stringify(table, null, 1));
}
