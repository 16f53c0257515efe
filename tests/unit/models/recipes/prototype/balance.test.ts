import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { MemoryFaceSource, SPLIT_TRAIN, SPLIT_VAL, loadFolderFaces } from '../../../../../models/data/face-source';
import { parseFaceLabels as parseLabelsCsv, stratumOf } from '../../../../../models/data/labels';
import { PackedFaceSource, writePackedFaces } from '../../../../../models/data/packed-source';
import { computeMeanFaces } from '../../../../../models/recipes/prototype/means';
import { parseMeanBalance, strataWeights } from '../../../../../models/recipes/prototype/balance';
import { buildPrototypeModel, loadPrototypeModel, savePrototype } from '../../../../../models/recipes/prototype/checkpoint';

const S = 4;
const N = S * S * 3;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'proto-balance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Face { age: number; stratum: string; value: number; split?: number }

/** Every face is a constant image whose value depends on its stratum only. */
function source(faces: Face[], withStrata = true): MemoryFaceSource {
  const px = new Uint8Array(faces.length * N);
  faces.forEach((f, i) => px.fill(f.value, i * N, (i + 1) * N));
  return new MemoryFaceSource(
    S,
    px,
    Float32Array.from(faces.map((f) => f.age)),
    Uint8Array.from(faces.map((f) => f.split ?? SPLIT_TRAIN)),
    faces.map((_, i) => `f${i}.png`),
    withStrata ? faces.map((f) => f.stratum) : undefined,
  );
}

const rep = (n: number, f: Face): Face[] => Array.from({ length: n }, () => ({ ...f }));
// Stratum A (male, white) is dark (40), B (female, white) bright (200), C (male, race 1) grey (120).
const A = { stratum: '0/0', value: 40 };
const B = { stratum: '1/0', value: 200 };
const C = { stratum: '0/1', value: 120 };
// Young group [0, 30): 60 A aged 22 + 20 B aged 28; old group [30, 60): 20 A aged 40 + 60 B aged 50;
// last group [60, ...): 25 A + 25 B + 5 C (C under minCellFaces 20). Val faces must never count.
const mixed = [
  ...rep(60, { ...A, age: 22 }),
  ...rep(20, { ...B, age: 28 }),
  ...rep(20, { ...A, age: 40 }),
  ...rep(60, { ...B, age: 50 }),
  ...rep(25, { ...A, age: 65 }),
  ...rep(25, { ...B, age: 75 }),
  ...rep(5, { ...C, age: 70 }),
  ...rep(40, { ...B, age: 25, split: SPLIT_VAL }),
];
const edges = [0, 30, 60];

describe('balanced prototype means', () => {
  it("plain means follow each group's stratum mix", async () => {
    const means = await computeMeanFaces(source(mixed), { edges });
    expect(means.map((m) => m.count)).toEqual([80, 80, 55]);
    expect(means[0].pixels[0]).toBeCloseTo((60 * 40 + 20 * 200) / 80, 4);
    expect(means[1].pixels[0]).toBeCloseTo((20 * 40 + 60 * 200) / 80, 4);
    expect(means[0].anchorAge).toBeCloseTo((60 * 22 + 20 * 28) / 80, 10);
  });

  it('balanced means are equal across groups whatever the mix, and survive save/load exactly', async () => {
    const means = await computeMeanFaces(source(mixed), { edges, balance: 'strata' });
    for (const m of means) for (let j = 0; j < N; j++) expect(m.pixels[j]).toBeCloseTo(120, 6);
    const model = await buildPrototypeModel(source(mixed), { edges, balance: 'strata' });
    await savePrototype(model, path.join(tmp, 'proto'));
    const loaded = await loadPrototypeModel(path.join(tmp, 'proto'));
    expect(loaded.means.map((m) => m.pixels)).toEqual(means.map(() => new Float32Array(N).fill(120)));
  });

  it('anchor ages are the weighted means (each stratum half of the group)', async () => {
    const means = await computeMeanFaces(source(mixed), { edges, balance: 'strata' });
    expect(means[0].anchorAge).toBeCloseTo((22 + 28) / 2, 10);
    expect(means[1].anchorAge).toBeCloseTo((40 + 50) / 2, 10);
    expect(means[2].anchorAge).toBeCloseTo((65 + 75) / 2, 10);
  });

  it('strata under minCellFaces are left out (weight 0, not counted) and reported', async () => {
    const means = await computeMeanFaces(source(mixed), { edges, balance: 'strata' });
    expect(means[2].count).toBe(50);
    expect(means[2].strata).toEqual({ kept: { '0/0': 25, '1/0': 25 }, dropped: { '0/1': 5 } });
    // With the threshold at 5, C is kept: three equal thirds.
    const low = await computeMeanFaces(source(mixed), { edges, balance: 'strata', minCellFaces: 5 });
    expect(low[2].count).toBe(55);
    expect(low[2].pixels[0]).toBeCloseTo((40 + 200 + 120) / 3, 4);
    expect(low[2].anchorAge).toBeCloseTo((65 + 75 + 70) / 3, 10);
    // A group whose every stratum is too small disappears.
    const none = await computeMeanFaces(source(mixed), { edges, balance: 'strata', minCellFaces: 61 });
    expect(none).toEqual([]);
    // At 26 each of the first two groups keeps only its majority stratum; the last group none.
    const majority = await computeMeanFaces(source(mixed), { edges, balance: 'strata', minCellFaces: 26 });
    expect(majority.map((m) => [m.lo, m.count, m.pixels[0]])).toEqual([[0, 60, 40], [30, 60, 200]]);
    expect(majority[0].anchorAge).toBeCloseTo(22, 10);
    expect(majority[1].strata).toEqual({ kept: { '1/0': 60 }, dropped: { '0/0': 20 } });
  });

  it('weights mirror images like the plain means (flip on asymmetric faces)', async () => {
    // Two strata of one group: stratum X has 20 faces ramping left->right, Y 60 faces ramping the other way.
    const px = new Uint8Array(80 * N);
    const strata: string[] = [];
    for (let i = 0; i < 80; i++) {
      const x0 = i < 20;
      strata.push(x0 ? 'x/0' : 'y/0');
      for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) px[i * N + p * 3 + c] = x0 ? (p % S) * 30 + c : 200 - (p % S) * 10 - c + (i % 3);
    }
    const src = new MemoryFaceSource(S, px, new Float32Array(80).fill(30), new Uint8Array(80), [], strata);
    for (const flip of [false, true]) {
      const [m] = await computeMeanFaces(src, { edges: [0], balance: 'strata', flip });
      for (let j = 0; j < N; j++) {
        const mirror = (Math.floor(j / 3 / S) * S + S - 1 - (Math.floor(j / 3) % S)) * 3 + (j % 3);
        let want = 0;
        for (let i = 0; i < 80; i++) {
          const w = i < 20 ? 1 / 40 : 1 / 120;
          want += w * (flip ? (px[i * N + j] + px[i * N + mirror]) / 2 : px[i * N + j]);
        }
        expect(m.pixels[j]).toBeCloseTo(want, 4);
      }
    }
  });

  it("balance 'none' gives today's means bit for bit (golden hashes taken before balancing existed)", async () => {
    const n = 90;
    const px = new Uint8Array(n * 6 * 6 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
    const ages = Float32Array.from({ length: n }, (_, i) => (i * 37) % 95);
    const splits = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 1 : 0));
    // Strata present but ignored by 'none'.
    const src = new MemoryFaceSource(6, px, ages, splits, [], Array.from({ length: n }, (_, i) => `${i % 2}/0`));
    const golden: Record<string, string> = {
      true: '77d0159ca623ac166f44fedc9a9c55c8aaeed13db2768cb76e83e02f06a7d54b',
      false: '6f8c97b0b19a5132a15268f22a0c7731b8a2b28be9284f51597e8a2714181d1d',
    };
    for (const flip of [true, false]) {
      const means = await computeMeanFaces(src, { flip, balance: 'none' });
      const h = createHash('sha256');
      for (const m of means) {
        h.update(JSON.stringify([m.lo, m.hi, m.anchorAge, m.count]));
        h.update(new Uint8Array(m.pixels.buffer));
      }
      expect(means).toHaveLength(11);
      expect(means.every((m) => m.strata === undefined)).toBe(true);
      expect(h.digest('hex')).toBe(golden[String(flip)]);
    }
  });

  it('throws a clear error without strata, or when a face has none', async () => {
    await expect(computeMeanFaces(source(mixed, false), { edges, balance: 'strata' })).rejects.toThrow(/"gender" and "race"/);
    const holed = mixed.map((f, i) => (i === 7 ? { ...f, stratum: stratumOf('0', ' ') } : f));
    await expect(computeMeanFaces(source(holed), { edges, balance: 'strata' })).rejects.toThrow(/face 7 has no stratum/);
    // A val face without a stratum does not matter to the train split.
    const valHole = mixed.map((f, i) => (i === mixed.length - 1 ? { ...f, stratum: '' } : f));
    await expect(computeMeanFaces(source(valHole), { edges, balance: 'strata' })).resolves.toHaveLength(3);
    expect(() => parseMeanBalance('gender')).toThrow(/'none' or 'strata'/);
    expect(parseMeanBalance(undefined)).toBe('none');
  });

  it('strataWeights: each kept stratum of a group sums to 1 / kept', () => {
    const src = source(mixed);
    const picks = [0, 1, 60, 61, 80];
    const { weights } = strataWeights(src, picks, [0, 0, 0, 1, 1], 2, 1);
    // Group 0: two A and one B -> A faces 1/4 each, B 1/2; group 1: A and B alone -> 1/2 each.
    expect(Array.from(weights)).toEqual([0.25, 0.25, 0.5, 0.5, 0.5]);
  });
});

describe('face sources carry strata', () => {
  it('the packed source reads gender and race from index.csv (UTKFace layout)', async () => {
    const dir = path.join(tmp, 'utk-packed');
    const src = source([{ ...A, age: 20 }, { ...B, age: 30 }, { ...C, age: 40 }]);
    await writePackedFaces(src, dir, 'test');
    // Rewrite index.csv as prepare-dataset does, with an unknown race on the last row.
    writeFileSync(
      path.join(dir, 'index.csv'),
      'row,file,age,gender,race,hash,split,score\n0,a.jpg,20,0,0,h0,train,0.9\n1,b.jpg,30,1,0,h1,val,0.9\n2,c.jpg,40,0,,h2,train,0.9\n',
    );
    const packed = await PackedFaceSource.open(dir);
    try {
      expect(packed.strata).toEqual(['0/0', '1/0', '']);
      expect(Array.from(packed.splits)).toEqual([SPLIT_TRAIN, SPLIT_VAL, SPLIT_TRAIN]);
    } finally {
      await packed.close();
    }
  });

  it('writePackedFaces keeps strata through a round trip; packs without gender/race have none', async () => {
    const withStrata = path.join(tmp, 'rt-strata');
    await writePackedFaces(source(mixed.slice(0, 80)), withStrata, 'test');
    const a = await PackedFaceSource.open(withStrata);
    expect(a.strata).toEqual(mixed.slice(0, 80).map((f) => f.stratum));
    const means = await computeMeanFaces(a, { edges, balance: 'strata' });
    expect(means[0].pixels[0]).toBeCloseTo(120, 4);
    await a.close();
    const without = path.join(tmp, 'rt-plain');
    await writePackedFaces(source(mixed.slice(0, 5), false), without, 'test');
    const b = await PackedFaceSource.open(without);
    expect(b.strata).toBeUndefined();
    await b.close();
  });

  it('a folder with gender and race in labels.csv loads with strata; without them, none', async () => {
    const dir = path.join(tmp, 'folder');
    mkdirSync(dir);
    for (const [name, v] of [['a.png', 40], ['b.png', 200], ['c.png', 120]] as const) {
      await sharp(Buffer.alloc(8 * 8 * 3, v), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path.join(dir, name));
    }
    writeFileSync(path.join(dir, 'labels.csv'), 'file,age,gender,race\na.png,20,0,0\nb.png,30,1,0\nc.png,40,1,\n');
    const withStrata = await loadFolderFaces(dir, { size: 8 });
    expect(withStrata.names).toEqual(['a.png', 'b.png', 'c.png']);
    expect(withStrata.strata).toEqual(['0/0', '1/0', '']);
    writeFileSync(path.join(dir, 'labels.csv'), 'file,age\na.png,20\nb.png,30\n');
    expect((await loadFolderFaces(dir, { size: 8 })).strata).toBeUndefined();
  });

  it('labels.csv: gender and race columns are optional and give strata', () => {
    expect(parseLabelsCsv('file,age\na.png,3\n')).toEqual([{ file: 'a.png', age: 3 }]);
    expect(parseLabelsCsv('file,age,gender,race\na.png,3,1,2\nb.png,40,,\n')).toEqual([
      { file: 'a.png', age: 3, stratum: '1/2' },
      { file: 'b.png', age: 40, stratum: '' },
    ]);
    expect(parseLabelsCsv('age,race,file,gender\n3,4,a.png,0\n')[0].stratum).toBe(stratumOf('0', '4'));
    // One of the two columns alone is not a stratum.
    expect(parseLabelsCsv('file,age,gender\na.png,3,1\n')[0].stratum).toBeUndefined();
  });
});
