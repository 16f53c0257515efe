import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReferenceTable, readCachedTable, referenceMap, selectReferenceFaces, writeCachedTable } from '../../../../models/eval/calibration';
import { gapBucketOf, summarize, type InputRecord, type OutputRecord } from '../../../../models/eval/metrics';
import { parseEvalOptions } from '../../../../models/eval/eval-command';
import { parseDataSpec, spreadPick } from '../../../../models/eval/eval-data';

describe('summarize', () => {
  // Two faces: labelled 25 (estimated 28) and 62 (estimated 55).
  const inputs: InputRecord[] = [
    { label: 25, estimate: 28 },
    { label: 62, estimate: 55 },
  ];
  const outputs: OutputRecord[] = [
    { face: 0, target: 30, estimate: 31, distance: 0.2 },
    { face: 0, target: 70, estimate: 50, distance: 0.7 },
    { face: 1, target: 30, estimate: 40, distance: 0.5 },
    { face: 1, target: 70, estimate: 60, distance: 0.3 },
  ];
  const reference = new Map([[30, 32], [70, 58]]);
  const s = summarize(inputs, outputs, reference);

  it('computes the overall age errors against target, labels and reference', () => {
    expect(s.age.mae).toBeCloseTo((1 + 20 + 10 + 10) / 4, 10);
    expect(s.age.maeRealFaces).toBeCloseTo((3 + 7) / 2, 10);
    expect(s.age.maeNoChange).toBeCloseTo((2 + 42 + 25 + 15) / 4, 10);
    expect(s.age.maeCalibrated).toBeCloseTo((1 + 8 + 8 + 2) / 4, 10);
    expect(s.age.maeCalibratedNoChange).toBeCloseTo((4 + 30 + 23 + 3) / 4, 10);
  });

  it('computes identity share below 0.6 and mean distance', () => {
    expect(s.identity.sameRate).toBeCloseTo(0.75, 10);
    expect(s.identity.meanDistance).toBeCloseTo(0.425, 10);
  });

  it('breaks down by target and by age gap', () => {
    expect(Object.keys(s.byTarget)).toEqual(['30', '70']);
    expect(s.byTarget['70'].mae).toBeCloseTo(15, 10);
    expect(s.byTarget['70'].sameRate).toBeCloseTo(0.5, 10);
    expect(s.byTarget['30'].meanEstimate).toBeCloseTo(35.5, 10);
    // gaps: 5 (0-10), 45 (40+), 32 (20-40), 8 (0-10)
    expect(s.byGap['0-10']!.outputs).toBe(2);
    expect(s.byGap['20-40']!.outputs).toBe(1);
    expect(s.byGap['40+']!.sameRate).toBe(0);
    expect(s.byGap['10-20']).toBeUndefined();
    expect(s.goals.sameRateUpTo20).toBeCloseTo(1, 10);
    expect(s.goals.sameRateOver40).toBe(0);
    expect(s.goals.calibratedAtMostRealFaces).toBe(true);
  });

  it('leaves targets without a reference out of the calibrated numbers', () => {
    const partial = summarize(inputs, outputs, new Map([[30, 32]]));
    expect(partial.age.maeCalibrated).toBeCloseTo((1 + 8) / 2, 10);
    expect(partial.byTarget['70'].maeCalibrated).toBeNull();
  });

  it('buckets age gaps with half-open intervals', () => {
    expect(gapBucketOf(0)).toBe('0-10');
    expect(gapBucketOf(-9.9)).toBe('0-10');
    expect(gapBucketOf(10)).toBe('10-20');
    expect(gapBucketOf(20)).toBe('20-40');
    expect(gapBucketOf(40)).toBe('40+');
  });
});

describe('calibration table', () => {
  const labels = [18, 20, 22, 26, 29, 31, 35, 36, 60, 80];

  it('selects the faces labelled within +-window, evenly spread and capped per target', () => {
    const sel = selectReferenceFaces(labels, [20, 30, 70], 5, 2);
    expect(sel.get(20)).toEqual([0, 1]); // candidates 18, 20, 22 -> first and middle
    expect(sel.get(30)).toEqual([3, 5]); // candidates 26, 29, 31, 35 -> 1st and 3rd
    expect(sel.get(70)).toEqual([]);
    expect(selectReferenceFaces(labels, [30], 5, 100).get(30)).toEqual([3, 4, 5, 6]);
  });

  it('averages the estimates of each target\'s faces and marks empty targets', () => {
    const estimates = [21, 24, 23, 30, 31, 33, 40, 41, 52, 70];
    const sel = selectReferenceFaces(labels, [20, 30, 70], 5, 100);
    const table = buildReferenceTable(new Map([...sel].map(([t, list]) => [t, list.map((i) => ({ label: labels[i], estimate: estimates[i] }))])), 5, 'k');
    const e = Object.fromEntries(table.entries.map((x) => [x.target, x]));
    expect(e[20].mean).toBeCloseTo((21 + 24 + 23) / 3, 10);
    expect(e[20].meanLabel).toBeCloseTo(20, 10);
    expect(e[30].mean).toBeCloseTo((30 + 31 + 33 + 40) / 4, 10);
    expect(e[30].count).toBe(4);
    expect(e[70]).toEqual({ target: 70, mean: null, meanLabel: null, count: 0 });
    expect([...referenceMap(table).keys()]).toEqual([20, 30]);
  });

  it('caches a table by key and ignores other keys', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-cache-'));
    try {
      const table = buildReferenceTable(new Map([[40, [{ label: 41, estimate: 39.5 }]]]), 5, 'dataset-A');
      expect(await readCachedTable(dir, 'dataset-A')).toBeNull();
      await writeCachedTable(dir, table);
      expect(await readCachedTable(dir, 'dataset-A')).toEqual(table);
      expect(await readCachedTable(dir, 'dataset-B')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eval options and data specs', () => {
  it('parses targets, limit and defaults', () => {
    const o = parseEvalOptions({ model: 'prototype', data: 'packed:/d:val', targets: '20, 45,70', limit: '300', cache: '/c' });
    expect(o.targets).toEqual([20, 45, 70]);
    expect(o.limit).toBe(300);
    expect(o.resolution).toBe(128);
    expect(parseEvalOptions({ model: 'no-change', data: 'x' }).targets).toEqual([20, 30, 40, 50, 60, 70]);
    expect(() => parseEvalOptions({ model: 'm', data: 'x', targets: '20,abc' })).toThrow(/targets/);
    expect(() => parseEvalOptions({ model: 'm', data: 'x', limit: '0' })).toThrow(/limit/);
    expect(() => parseEvalOptions({ data: 'x' })).toThrow(/--model/);
  });

  it('reads packed specs with and without a split', () => {
    expect(parseDataSpec('packed:/a/b:train')).toEqual({ kind: 'packed', dir: '/a/b', split: 'train' });
    expect(parseDataSpec('packed:/a/b')).toEqual({ kind: 'packed', dir: '/a/b', split: 'val' });
    expect(parseDataSpec(path.join(__dirname, '..', '..', '..', 'fixtures', 'faces')).kind).toBe('folder');
  });

  it('spreads a limited pick evenly over the pool', () => {
    expect(spreadPick([10, 11, 12, 13, 14, 15, 16, 17], 4)).toEqual([10, 12, 14, 16]);
    expect(spreadPick([1, 2, 3], undefined)).toEqual([1, 2, 3]);
    expect(spreadPick([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });
});
