/**
 * Writes a shape-normalised copy of a packed dataset: every crop warped (thin-plate spline on its 68
 * landmarks) onto the reference shape of an engineered model's appearance means, so eyes, brows,
 * nose and mouth of every face sit on the same pixels. The learned appearance stage (the CycleGAN
 * refiner of `assets/models/engineered-cyclegan`) trains on it: what is left for a network to learn
 * there is appearance, not geometry, which the shape stage already handles.
 *
 * Same rows, same index.csv (row numbers unchanged); no landmarks.bin (every face has the reference
 * shape); meta.json records the reference and where it came from. Rows without landmarks keep
 * their crop unwarped. Resumable: an existing partial crops.bin is continued.
 *
 * Usage: node dist/tools/normalise-dataset-main.cjs (after node scripts/build.mjs --only=tools)
 *          --data PACKED_DIR --stages assets/models/engineered --out DIR
 */
import { closeSync, existsSync, fstatSync, openSync, promises as fs, writeSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openPackedDataset } from '../../models/face/packed-dataset';
import { normaliseFace } from '../../models/stages/appearance/normalised-means';
import { parseShapeMeans } from '../../models/stages/shape/shape-means';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { data: { type: 'string' }, stages: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.data || !values.stages || !values.out) throw new Error('usage: --data PACKED_DIR --stages ENGINEERED_MODEL_DIR --out DIR');
  const ds = openPackedDataset(values.data);
  if (!ds.hasLandmarks) throw new Error(`${values.data} has no landmarks.bin: re-pack it with the current prepare-dataset`);
  if (ds.meta.complete !== true) throw new Error(`${values.data} is still being prepared`);
  const shapes = parseShapeMeans(JSON.parse(await fs.readFile(path.join(values.stages, 'shape-means.json'), 'utf8')));
  const S = ds.size;
  const rowBytes = S * S * 3;
  await fs.mkdir(values.out, { recursive: true });
  const cropsPath = path.join(values.out, 'crops.bin');
  const fd = openSync(cropsPath, existsSync(cropsPath) ? 'r+' : 'w');
  const done = Math.floor(fstatSync(fd).size / rowBytes);
  const byRow = [...ds.rows].sort((a, b) => a.row - b.row);
  if (byRow.some((r, i) => r.row !== i)) throw new Error(`${values.data}: rows are not 0..n-1 in crops.bin order`);
  const t0 = Date.now();
  for (let i = done; i < byRow.length; i++) {
    const crop = ds.readCrop(i);
    const shape = ds.readLandmarks(i);
    let out = crop;
    if (shape && shape.some((v) => v !== 0)) {
      const norm = normaliseFace(Float32Array.from(crop), S, shape, shapes.reference);
      out = Uint8Array.from(norm, (v) => Math.max(0, Math.min(255, Math.round(v))));
    }
    writeSync(fd, out, 0, rowBytes, i * rowBytes);
    if (i % 1000 === 999) console.error(`normalised ${i + 1}/${byRow.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  closeSync(fd);
  await fs.copyFile(path.join(values.data, 'index.csv'), path.join(values.out, 'index.csv'));
  const meta = {
    ...ds.meta,
    normalised: { reference: shapes.reference, stages: path.resolve(values.stages), from: path.resolve(values.data) },
    updatedAt: new Date().toISOString(),
  };
  await fs.writeFile(path.join(values.out, 'meta.json.tmp'), JSON.stringify(meta, null, 2));
  await fs.rename(path.join(values.out, 'meta.json.tmp'), path.join(values.out, 'meta.json'));
  ds.close();
  console.error(`done: ${byRow.length} faces in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${values.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
