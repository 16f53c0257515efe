/**
 * Builds the prototype baseline from a packed dataset's train split and saves it (built by
 * `node scripts/build.mjs --only=tools`):
 *   node dist/tools/build-prototype-main.cjs --data DIR --out DIR [--min-group-faces 200] [--sigma 2] [--strength 1]
 *     [--strength-far F] [--tone transfer|keep|relative] [--balance none|strata] [--min-cell-faces 20]
 *     [--texture-maps] [--texture T]
 * --texture-maps also averages each group's detail amplitude maps (prototype-texture.ts); --texture
 * sets the strength saved in the folder's texture.json (default 0: off).
 * --balance strata weighs each (gender, race) stratum of an age group equally (prototype-balance.ts);
 * it needs index.csv's gender and race columns.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { PackedFaceSource } from '../../models/data/packed-source';
import { DEFAULT_MIN_CELL_FACES, parseMeanBalance } from '../../models/recipes/prototype/balance';
import type { PrototypeOptions } from '../../models/recipes/prototype/model';
import { buildPrototypeModel, savePrototype } from '../../models/recipes/prototype/checkpoint';

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got '${value}'`);
  return n;
}

function tone(value: string | undefined): PrototypeOptions['tone'] {
  if (value === undefined || value === 'transfer' || value === 'keep' || value === 'relative') return value;
  throw new Error(`--tone must be transfer, keep or relative, got '${value}'`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      'min-group-faces': { type: 'string' },
      sigma: { type: 'string' },
      strength: { type: 'string' },
      'strength-far': { type: 'string' },
      tone: { type: 'string' },
      balance: { type: 'string' },
      'min-cell-faces': { type: 'string' },
      'texture-maps': { type: 'boolean' },
      texture: { type: 'string' },
    },
  });
  if (!values.data || !values.out) throw new Error('usage: --data PACKED_DIR --out DIR');
  const balance = parseMeanBalance(values.balance);
  const minCellFaces = num('min-cell-faces', values['min-cell-faces']) ?? DEFAULT_MIN_CELL_FACES;
  const source = await PackedFaceSource.open(values.data);
  const minGroupFaces = num('min-group-faces', values['min-group-faces']) ?? 200;
  const t0 = performance.now();
  const model = await buildPrototypeModel(source, {
    split: 'train',
    minGroupFaces,
    balance,
    minCellFaces,
    sigma: num('sigma', values.sigma),
    strength: num('strength', values.strength),
    strengthFar: num('strength-far', values['strength-far']),
    tone: tone(values.tone),
    textureMaps: values['texture-maps'] ?? false,
    onProgress: (d, t) => process.stderr.write(`${d}/${t}\r`),
  });
  const trainFaces = Array.from(source.splits).filter((s) => s === 0).length;
  const groupName = (m: { lo: number; hi: number | null }) => `${m.lo}-${m.hi ?? 'up'}`;
  await savePrototype(model, values.out, {
    dataset: 'UTKFace aligned & cropped, packed to 128 px canonical crops by models/face/prepare-dataset.ts',
    packedDir: path.basename(path.resolve(values.data)),
    split: 'train',
    trainFaces,
    packComplete: source.complete,
    minGroupFaces,
    flip: true,
    balance,
    // Faces per gender/race stratum of each kept group, averaged (kept) or left out (dropped).
    ...(balance === 'strata'
      ? { minCellFaces, strata: Object.fromEntries(model.means.map((m) => [groupName(m), m.strata])) }
      : {}),
  }, { textureStrength: num('texture', values.texture) });
  await source.close();
  const strataNote = (m: (typeof model.means)[number]) => (m.strata ? `, ${Object.keys(m.strata.kept).length} strata kept` : '');
  process.stdout.write(
    `${model.means.length} groups from ${trainFaces} train faces (balance ${balance}) in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n` +
      model.means.map((m) => `  ${m.lo}-${m.hi ?? ''}: ${m.count} faces, anchor ${m.anchorAge.toFixed(1)}${strataNote(m)}`).join('\n') + '\n',
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`build-prototype: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
