/**
 * Mean 68-point landmark shapes by age from a packed dataset's landmarks.bin (train split), in the
 * format `face-age eval --shape-means` reads ({ ages, shapes }, unit crop coordinates, x,y
 * interleaved). A stand-in for the shape stage's own means, so the shape metric has a baseline:
 *   npx esbuild --bundle --platform=node --format=cjs tools/research/shape-means.ts --outfile=.tmp/shape-means.cjs
 *   node .tmp/shape-means.cjs --data ../cache/utkface-128 --out ../cache/shape-means.json
 * Each age's mean is over faces labelled within +-window(age) (2 years below 10, 3 below 20, else 5).
 * `--split val|all` takes other rows (e.g. a val-only pack from val-sample.ts, as a stand-in).
 */
import { parseArgs } from 'node:util';
import { openPackedDataset } from '../../models/face/packed-dataset';
import { writeFileAtomic } from '../../models/nn/atomic-write';

const AGES = [2, 5, 8, 12, 16, 20, 25, 30, 40, 50, 60, 70, 80, 90];
const windowOf = (age: number) => (age < 10 ? 2 : age < 20 ? 3 : 5);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' } } });
  const split = values.split ?? 'train';
  if (!values.data || !values.out) throw new Error('--data DIR and --out FILE are required');
  const ds = openPackedDataset(values.data);
  if (!ds.hasLandmarks) throw new Error(`${values.data} has no landmarks.bin`);
  const sums = AGES.map(() => new Float64Array(136));
  const counts = AGES.map(() => 0);
  for (const r of ds.rows) {
    if (split !== 'all' && r.split !== split) continue;
    let lm: Float32Array | null;
    try {
      lm = ds.readLandmarks(r.row);
    } catch {
      continue; // landmarks not written yet for this row
    }
    if (!lm) continue;
    AGES.forEach((a, k) => {
      if (Math.abs(r.age - a) > windowOf(a)) return;
      for (let i = 0; i < 136; i++) sums[k][i] += lm![i];
      counts[k]++;
    });
  }
  ds.close();
  const keep = AGES.map((_, k) => k).filter((k) => counts[k] > 0);
  const out = { split, ages: keep.map((k) => AGES[k]), counts: keep.map((k) => counts[k]), shapes: keep.map((k) => Array.from(sums[k], (s) => Math.round((s / counts[k]) * 1e5) / 1e5)) };
  await writeFileAtomic(values.out, JSON.stringify(out) + '\n');
  process.stderr.write(`shape means for ages ${out.ages.join(', ')} (faces ${out.counts.join(', ')}) -> ${values.out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`shape-means: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
