/**
 * Builds the data of the engineered aging stages from a packed dataset's train split (landmarks.bin
 * required, see models/face/prepare-dataset.ts):
 *   shape-means.json   mean landmark shapes by age and sex (models/stages/shape/shape-means.ts)
 *   appearance.json/.bin   shape-normalised mean faces by age and sex
 *                          (models/stages/appearance/normalised-means.ts)
 * Usage: node dist/tools/build-stages-main.cjs (after node scripts/build.mjs --only=tools) --data DIR --out DIR [--limit N] [--skip-appearance]
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openPackedDataset } from '../../models/face/packed-dataset';
import { computeAppearanceMeans, saveAppearanceMeans } from '../../models/stages/appearance/normalised-means';
import { computeShapeMeans, type ShapeSample } from '../../models/stages/shape/shape-means';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { data: { type: 'string' }, out: { type: 'string' }, limit: { type: 'string' }, 'skip-appearance': { type: 'boolean' } },
  });
  if (!values.data || !values.out) throw new Error('usage: --data PACKED_DIR --out DIR [--limit N] [--skip-appearance]');
  const ds = openPackedDataset(values.data);
  if (!ds.hasLandmarks) throw new Error(`${values.data} has no landmarks.bin: re-pack it with the current prepare-dataset`);
  const limit = values.limit ? Number(values.limit) : Infinity;
  const rows = ds.rows.filter((r) => r.split === 'train' && r.detector !== 'whole-image').slice(0, limit);
  const t0 = Date.now();
  const samples: ShapeSample[] = rows.map((r) => ({ age: r.age, gender: r.gender, race: r.race, shape: ds.readLandmarks(r.row)! }));
  const shapes = computeShapeMeans(samples);
  shapes.source = `${path.basename(path.resolve(values.data))} train split, ${rows.length} faces`;
  await fs.mkdir(values.out, { recursive: true });
  await fs.writeFile(path.join(values.out, 'shape-means.json'), JSON.stringify(shapes));
  console.error(`shape means: ${shapes.groups.length} groups from ${rows.length} faces in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (values['skip-appearance']) return;
  const means = await computeAppearanceMeans(rows, async (i) => ({ crop: ds.readCrop(rows[i].row), shape: samples[i].shape }), {
    size: ds.size,
    reference: shapes.reference,
    onProgress: (d, n) => console.error(`appearance: ${d}/${n} faces, ${((Date.now() - t0) / 1000).toFixed(0)} s`),
  });
  means.source = shapes.source;
  await saveAppearanceMeans(values.out, means);
  console.error(`appearance means: ${means.groups.length} groups, done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  ds.close();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
