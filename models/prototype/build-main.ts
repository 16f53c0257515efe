/**
 * Builds the prototype baseline from a packed dataset's train split and saves it (bundle with
 * esbuild like models/face/prepare-dataset-main.ts):
 *   node build-prototype.cjs --data DIR --out DIR [--min-group-faces 200] [--sigma 2] [--strength 1]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PackedFaceSource } from '../train/packed-source';
import { buildPrototypeModel, savePrototype } from './prototype-store';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      'min-group-faces': { type: 'string' },
      sigma: { type: 'string' },
      strength: { type: 'string' },
    },
  });
  if (!values.data || !values.out) throw new Error('usage: --data PACKED_DIR --out DIR');
  const source = await PackedFaceSource.open(values.data);
  const minGroupFaces = Number(values['min-group-faces'] ?? 200);
  const t0 = performance.now();
  const model = await buildPrototypeModel(source, {
    split: 'train',
    minGroupFaces,
    sigma: values.sigma === undefined ? undefined : Number(values.sigma),
    strength: values.strength === undefined ? undefined : Number(values.strength),
    onProgress: (d, t) => process.stderr.write(`${d}/${t}\r`),
  });
  const trainFaces = Array.from(source.splits).filter((s) => s === 0).length;
  await savePrototype(model, values.out, {
    dataset: 'UTKFace aligned & cropped, packed to 128 px canonical crops by models/face/prepare-dataset.ts',
    packedDir: path.basename(path.resolve(values.data)),
    split: 'train',
    trainFaces,
    packComplete: source.complete,
    minGroupFaces,
    flip: true,
  });
  await source.close();
  process.stdout.write(
    `${model.means.length} groups from ${trainFaces} train faces in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n` +
      model.means.map((m) => `  ${m.lo}-${m.hi ?? ''}: ${m.count} faces, anchor ${m.anchorAge.toFixed(1)}`).join('\n') + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`build-prototype: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
