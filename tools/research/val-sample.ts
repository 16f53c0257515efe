/**
 * A packed sample of the validation split for evaluations that cannot wait for the whole pack:
 * the same labels, deduplication, hash split (seed 1234, 10% val) and aligner as
 * prepare-dataset, on `--faces N` val images spread evenly over the val rows in file-name order
 * (the pack's own order, so the sample's ages follow the split's). Every row is a val row.
 *   npx esbuild --bundle --platform=node --format=cjs --external:@tensorflow/* \
 *     --external:@vladmandic/face-api --external:sharp tools/research/val-sample.ts --outfile=.tmp/val-sample.cjs
 *   FACE_AGE_THREADS=1 node .tmp/val-sample.cjs --images ../shared/data/utkface/images --faces 300 \
 *     --out ../cache/utkface-128-val-sample
 * then `face-age eval --data packed:../cache/utkface-128-val-sample:val ...`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../models/backend/select';
import { dedupByHash, hashRows, parseLabelsCsv, splitOf } from '../../models/data/labels';
import { loadFaceModels } from '../../models/face/face-models';
import { prepareDataset } from '../../models/face/prepare-dataset';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string' }, faces: { type: 'string' }, out: { type: 'string' } } });
  if (!values.images || !values.out) throw new Error('--images DIR and --out DIR are required');
  const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  const labelsCsv = path.join(values.images, '..', 'labels.csv');
  const { hashed } = hashRows(parseLabelsCsv(readFileSync(labelsCsv, 'utf8')), values.images);
  const val = dedupByHash(hashed).kept.filter((r) => splitOf(r.hash, 1234, 0.1) === 'val').sort((a, b) => (a.file < b.file ? -1 : 1));
  const n = Math.min(val.length, Number(values.faces ?? 300));
  const pick = Array.from({ length: n }, (_, k) => val[Math.floor((k * val.length) / n)]);
  mkdirSync(values.out, { recursive: true });
  const subset = path.join(values.out, 'labels-subset.csv');
  writeFileSync(subset, ['file,age,gender,race', ...pick.map((r) => `${r.file},${r.age},${r.gender ?? ''},${r.race ?? ''}`)].join('\n') + '\n');
  log(`${val.length} val images; packing ${n} of them into ${values.out}`);
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  const r = await prepareDataset({ imagesDir: values.images, labelsCsv: subset, outDir: values.out, log });
  log(JSON.stringify(r).slice(0, 400));
}

main().catch((e: unknown) => {
  process.stderr.write(`val-sample: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
