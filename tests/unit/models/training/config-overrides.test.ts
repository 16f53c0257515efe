import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mergeConfig, parseTrainOptions } from '../../../../models/training/train-command';
import { defaultCycleGanConfig } from '../../../../models/recipes/cyclegan/config';

const base = { kind: 'cyclegan', data: '/d', run: '/r' };

describe('train --config overrides', () => {
  it('merges nested keys into the defaults and leaves the rest alone', () => {
    const o = parseTrainOptions({ ...base, config: '{"generator":{"output":"residual"},"loss":{"ageClassifier":0.5}}' });
    const c = mergeConfig(defaultCycleGanConfig(64), o.configOverrides);
    expect(c.generator.output).toBe('residual');
    expect(c.generator.ngf).toBe(defaultCycleGanConfig(64).generator.ngf);
    expect(c.loss.ageClassifier).toBe(0.5);
    expect(c.loss.cycle).toBe(10);
  });

  it('reads a JSON file too', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ poolSize: 7 }));
    const o = parseTrainOptions({ ...base, config: file });
    expect(mergeConfig(defaultCycleGanConfig(64), o.configOverrides).poolSize).toBe(7);
  });

  it('refuses unknown keys, prototype keys, arrays and bad JSON with a clear message', () => {
    const c = defaultCycleGanConfig(64);
    expect(() => mergeConfig(c, { generatr: {} })).toThrow(/unknown key "generatr"/);
    expect(() => mergeConfig(c, JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>)).toThrow(/not allowed/);
    expect(() => parseTrainOptions({ ...base, config: '[1]' })).toThrow(/cannot read|JSON object/);
    expect(() => parseTrainOptions({ ...base, config: '{nope' })).toThrow(/not valid JSON/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
