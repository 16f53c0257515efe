/**
 * Labels and content hashes of a face-image folder, before any training split:
 * the one parser of labels.csv (`file,age[,gender,race]`, for dataset preparation and for the
 * training sources alike), the sha256 of each file's bytes and deduplication of byte-identical
 * copies (UTKFace has ~370 groups, some with different ages: those groups are dropped entirely).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
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

/** One row as read: file, age and the raw cells (for the optional columns). */
interface RawLabel {
  file: string;
  age: number;
  cells: string[];
}

/**
 * The one reader of labels.csv: a header naming at least `file` and `age` (any order, any case),
 * then one row per face; a row without a file or with a missing, non-numeric or negative age is
 * rejected loudly with its line number.
 */
function readLabels(text: string): { rows: RawLabel[]; column: (name: string) => number } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return { rows: [], column: () => -1 };
  const header = lines[0].split(',').map((s) => s.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const iFile = column('file');
  const iAge = column('age');
  if (iFile < 0 || iAge < 0) throw new Error('labels.csv needs a header with columns "file" and "age"');
  const rows = lines.slice(1).map((line, k) => {
    const cells = line.split(',');
    const age = Number(cells[iAge]);
    if (!cells[iFile] || !Number.isFinite(age) || age < 0) throw new Error(`labels.csv line ${k + 2}: expected file,age but got "${line}"`);
    return { file: cells[iFile].trim(), age, cells };
  });
  return { rows, column };
}

/** `file,age[,gender,race]` rows; gender and race are null when the column or the cell is empty. */
export function parseLabelsCsv(text: string): LabelRow[] {
  const { rows, column } = readLabels(text);
  const iGender = column('gender');
  const iRace = column('race');
  const num = (s: string | undefined): number | null => (s === undefined || s.trim() === '' ? null : Number(s));
  return rows.map(({ file, age, cells }) => ({
    file,
    age,
    gender: iGender >= 0 ? num(cells[iGender]) : null,
    race: iRace >= 0 ? num(cells[iRace]) : null,
  }));
}

/** The stratum label of a face: `gender/race` as written in the labels; '' when either is empty. */
export function stratumOf(gender: string, race: string): string {
  const g = gender.trim();
  const r = race.trim();
  return g === '' || r === '' ? '' : `${g}/${r}`;
}

/** A training face's label: its stratum only when the header has both gender and race columns. */
export interface FaceLabel {
  file: string;
  age: number;
  /** The row's stratum (stratumOf gender, race), only when the header has both columns. */
  stratum?: string;
}

/** labels.csv as the training sources read it (file, age, stratum). */
export function parseFaceLabels(text: string): FaceLabel[] {
  const { rows, column } = readLabels(text);
  const gi = column('gender');
  const ri = column('race');
  return rows.map(({ file, age, cells }) => {
    const row: FaceLabel = { file, age };
    if (gi >= 0 && ri >= 0) row.stratum = stratumOf(cells[gi] ?? '', cells[ri] ?? '');
    return row;
  });
}

/** Rewrites `<dir>/labels.csv` as `file,age` with each age mapped by `map` (e.g. clamped into a model's domains). */
export async function rewriteLabelAges(dir: string, map: (age: number) => number): Promise<void> {
  const file = path.join(dir, 'labels.csv');
  const rows = parseLabelsCsv(await readFile(file, 'utf8'));
  await writeFile(file, ['file,age', ...rows.map((r) => `${r.file},${map(r.age)}`)].join('\n') + '\n');
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
