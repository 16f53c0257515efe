/**
 * The faces an evaluation runs on. A data spec is either
 *   packed:<dir>:<train|val|all>   a packed dataset (models/face/README.md) and one of its splits,
 *   <dir> with meta.json           the same, val split,
 *   <dir> with labels.csv          a folder of aligned face crops (file,age), every face.
 * Folder images must already be aligned canonical crops (as the packed dataset and
 * tests/fixtures/faces are); they are centre-cropped and resized to 128 px on loading.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { IDENTITY_WARP, warpResize } from '../data/augment';
import { SPLIT_TRAIN, SPLIT_VAL, loadFolderFaces, type FaceSource } from '../data/face-source';
import { PackedFaceSource } from '../data/packed-source';

export interface EvalData {
  source: FaceSource;
  /** Source indices of every face in the chosen split (the reference pool). */
  pool: number[];
  /** A stable description of the data for cache keys and reports. */
  id: string;
  description: string;
  close(): Promise<void>;
}

export interface DataSpec {
  kind: 'packed' | 'folder';
  dir: string;
  split: 'train' | 'val' | 'all';
}

export function parseDataSpec(spec: string): DataSpec {
  if (spec.startsWith('packed:')) {
    const rest = spec.slice('packed:'.length);
    const m = /^(.*):(train|val|all)$/.exec(rest);
    return { kind: 'packed', dir: m ? m[1] : rest, split: m ? (m[2] as DataSpec['split']) : 'val' };
  }
  if (existsSync(path.join(spec, 'meta.json'))) return { kind: 'packed', dir: spec, split: 'val' };
  return { kind: 'folder', dir: spec, split: 'all' };
}

export async function openEvalData(spec: string | DataSpec): Promise<EvalData> {
  const s = typeof spec === 'string' ? parseDataSpec(spec) : spec;
  const dir = path.resolve(s.dir);
  let source: FaceSource;
  let stamp: string;
  if (s.kind === 'packed') {
    const p = await PackedFaceSource.open(dir);
    source = p;
    stamp = `complete=${p.complete}`;
  } else {
    if (!existsSync(path.join(dir, 'labels.csv'))) throw new Error(`${dir} has no labels.csv (expected file,age)`);
    source = await loadFolderFaces(dir, { size: 128 });
    const st = statSync(path.join(dir, 'labels.csv'));
    stamp = `labels=${st.size}@${st.mtimeMs}`;
  }
  const want = s.split === 'train' ? SPLIT_TRAIN : s.split === 'val' ? SPLIT_VAL : -1;
  const pool: number[] = [];
  for (let i = 0; i < source.count; i++) if (want < 0 || source.splits[i] === want) pool.push(i);
  if (pool.length === 0) throw new Error(`no faces in ${s.kind} data ${dir} (split ${s.split})`);
  return {
    source,
    pool,
    id: `${s.kind}:${dir}:${s.split}:${pool.length}:${stamp}`,
    description: `${s.kind === 'packed' ? 'packed' : 'folder'} ${dir}${s.kind === 'packed' ? `, ${s.split} split` : ''}, ${pool.length} faces`,
    close: () => source.close(),
  };
}

/** `limit` faces spread evenly over the pool (deterministic; packed pools are ordered by file name). */
export function spreadPick(pool: readonly number[], limit: number | undefined): number[] {
  const n = Math.min(pool.length, limit ?? pool.length);
  return Array.from({ length: n }, (_, k) => pool[Math.floor((k * pool.length) / n)]);
}

/** Face `index` of the source at R x R as floats in [-1, 1] (antialiased when shrinking). */
export async function readFaceAt(source: FaceSource, index: number, R: number): Promise<Float32Array> {
  const px = await source.read(index);
  const out = new Float32Array(R * R * 3);
  warpResize(px, source.size, out, 0, R, IDENTITY_WARP);
  return out;
}
