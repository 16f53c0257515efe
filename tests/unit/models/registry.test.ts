import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderContactSheet } from '../../../models/eval/contact-sheet';
import type { EvalData } from '../../../models/eval/eval-data';
import { loadEvalModel } from '../../../models/eval/load-model';
import { PrototypeAgingModel } from '../../../models/recipes/prototype/model';
import { savePrototype } from '../../../models/recipes/prototype/checkpoint';
import { MemoryFaceSource } from '../../../models/data/face-source';

const S = 16;
const N = S * S * 3;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'eval-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function prototype(): PrototypeAgingModel {
  return new PrototypeAgingModel(
    [
      { lo: 20, hi: 30, anchorAge: 25, count: 300, pixels: new Float32Array(N).fill(50) },
      { lo: 60, hi: 70, anchorAge: 65, count: 300, pixels: new Float32Array(N).fill(200) },
    ],
    S,
    { sigma: 0, mask: 'none' },
  );
}

describe('loadEvalModel', () => {
  it('resolves no-change, a prototype folder and "prototype" with its folder', async () => {
    expect((await loadEvalModel('no-change')).model).toBe('no-change');
    const dir = path.join(tmp, 'proto');
    await savePrototype(prototype(), dir);
    const byPath = await loadEvalModel(dir);
    expect(byPath.model).not.toBe('no-change');
    expect(byPath.model !== 'no-change' && byPath.model.kind).toBe('prototype');
    expect(byPath.name).toBe('proto');
    const byName = await loadEvalModel('prototype', { prototypeDir: dir });
    expect(byName.name).toBe('prototype');
    expect(byName.model !== 'no-change' && byName.model.resolution).toBe(S);
  });

  it('refuses folders without a model and unknown kinds', async () => {
    await expect(loadEvalModel(path.join(tmp, 'nothing-here'))).rejects.toThrow(/no meta.json/);
    const odd = path.join(tmp, 'odd');
    rmSync(odd, { recursive: true, force: true });
    mkdirSync(odd);
    writeFileSync(path.join(odd, 'meta.json'), JSON.stringify({ kind: 'vae' }));
    await expect(loadEvalModel(odd)).rejects.toThrow(/unknown model kind vae/);
  });
});

describe('renderContactSheet', () => {
  it('lays out input + one tile per target, rows spread over ages, outputs brighter with age', async () => {
    tf.setBackend('cpu');
    const ages = [5, 30, 44, 71];
    const px = new Uint8Array(ages.length * N).fill(100);
    const source = new MemoryFaceSource(S, px, Float32Array.from(ages), new Uint8Array(ages.length));
    const data: EvalData = { source, pool: [0, 1, 2, 3], id: 'mem', description: 'mem', close: async () => {} };
    const before = tf.memory().numTensors;
    const sheet = await renderContactSheet(prototype(), data, { rows: 2, targets: [25, 65], gap: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(sheet.width).toBe(3 * S + 2 * 2);
    expect(sheet.height).toBe(2 * S + 2);
    expect(sheet.columns).toEqual(['input', 'age 25', 'age 65']);
    expect(sheet.labels).toEqual([30, 71]);
    const at = (x: number, y: number) => sheet.rgb[(y * sheet.width + x) * 3];
    const c = S / 2;
    expect(at(c, c)).toBe(100); // input tile
    expect(at(S + 2 + c, c)).toBeLessThan(100); // row of the 30-year-old aged to 25: a little darker
    expect(at(2 * (S + 2) + c, c)).toBeGreaterThan(200); // aged to 65: +~140 levels
    expect(at(S, 0)).toBe(255); // the white gap between tiles
  });
});
