/**
 * Labels and content hashes of a face-image folder, before any training split:
 * reads `file,age[,gender,race]`, hashes each file's bytes (sha256) and deduplicates byte-identical
 * copies (UTKFace has ~370 groups, some with different ages: those groups are dropped entirely).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface LabelRow {
  file: string;
  age: number;
  /** 0 male, 1 female (UTKFace convention), null when the CSV has no gender column. */
  gender: number | null;
  race: number | null;
}

export interface HashedRow extends LabelRow {
  hash: string;
}

export interface DedupResult {
  kept: HashedRow[];
  /** Rows dropped, with why: 'duplicate' (an identical copy was kept) or 'duplicate-conflict'. */
  dropped: Array<HashedRow & { reason: 'duplicate' | 'duplicate-conflict' }>;
}

export function parseLabelsCsv(text: string): LabelRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0].split(',').map((s) => s.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const iFile = col('file');
  const iAge = col('age');
  if (iFile < 0 || iAge < 0) throw new Error('labels.csv must have a header with at least "file,age"');
  const iGender = col('gender');
  const iRace = col('race');
  const num = (s: string | undefined): number | null => (s === undefined || s.trim() === '' ? null : Number(s));
  return lines.slice(1).map((line, k) => {
    const cells = line.split(',');
    const age = Number(cells[iAge]);
    if (!cells[iFile] || !Number.isFinite(age)) throw new Error(`labels.csv line ${k + 2}: bad row "${line}"`);
    return {
      file: cells[iFile].trim(),
      age,
      gender: iGender >= 0 ? num(cells[iGender]) : null,
      race: iRace >= 0 ? num(cells[iRace]) : null,
    };
  });
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes every labelled file in `imagesDir`; files that cannot be read are returned in `missing`. */
export function hashRows(rows: readonly LabelRow[], imagesDir: string): { hashed: HashedRow[]; missing: LabelRow[] } {
  const hashed: HashedRow[] = [];
  const missing: LabelRow[] = [];
  for (const r of rows) {
    try {
      hashed.push({ ...r, hash: sha256(readFileSync(path.join(imagesDir, r.file))) });
    } catch {
      missing.push(r);
    }
  }
  return { hashed, missing };
}

/** Keeps one file per content hash (the first by name); drops groups whose labels disagree. */
export function dedupByHash(rows: readonly HashedRow[]): DedupResult {
  const groups = new Map<string, HashedRow[]>();
  for (const r of [...rows].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const g = groups.get(r.hash);
    if (g) g.push(r);
    else groups.set(r.hash, [r]);
  }
  const kept: HashedRow[] = [];
  const dropped: DedupResult['dropped'] = [];
  for (const g of groups.values()) {
    const same = g.every((r) => r.age === g[0].age && r.gender === g[0].gender && r.race === g[0].race);
    if (!same) {
      for (const r of g) dropped.push({ ...r, reason: 'duplicate-conflict' });
      continue;
    }
    kept.push(g[0]);
    for (const r of g.slice(1)) dropped.push({ ...r, reason: 'duplicate' });
  }
  return { kept, dropped };
}

/** Deterministic train/val assignment from the content hash (so copies can never straddle splits). */
export function splitOf(hash: string, seed: number, valFraction: number): 'train' | 'val' {
  const h = sha256(`${seed}:${hash}`);
  return parseInt(h.slice(0, 8), 16) / 0x1_0000_0000 < valFraction ? 'val' : 'train';
}
