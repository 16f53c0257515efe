import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerOnlyAnalyzer } from '../../../../main/library/image-check';
import { Library } from '../../../../main/library/library';
import type { AnalyzeResult, Photo, PhotoQuery, PhotoSort } from '../../../../main/library/types';
import { distinctJpeg } from '../../../fixtures/library/make-images';

// listPhotos against a plain-JS reference: random names, estimated ages, age labels and tags, then
// random queries (search, age range, tag, sort, paging) must give exactly the reference's answer.

const N = 40;
const TAGS = ['Beach', 'family', 'old', 'scan'];
let dir: string;
let lib: Library;
let projectId: number;
let photos: Photo[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lib-query-'));
  lib = await Library.open(dir);
  projectId = lib.createProject({ name: 'Query' }).id;
  const rng = fc.sample(
    fc.record({
      name: fc.stringMatching(/^[A-Za-z0-9_ ]{1,10}$/),
      age: fc.option(fc.integer({ min: 0, max: 90 }), { nil: null, freq: 2 }),
      label: fc.option(fc.integer({ min: 0, max: 90 }), { nil: null, freq: 2 }),
      tags: fc.subarray(TAGS),
    }),
    { numRuns: N, seed: 42 },
  );
  const files = await Promise.all(rng.map(async (r, i) => ({ name: `${r.name}.jpg`, bytes: await distinctJpeg(5000 + i, 16) })));
  const ageByBytes = new Map(files.map((f, i) => [f.bytes, rng[i].age]));
  const analyze = async (b: Buffer): Promise<AnalyzeResult> => {
    const age = ageByBytes.get(b) ?? null;
    const face = { box: { x: 0, y: 0, width: 8, height: 8 }, score: 1, landmarks: [], age, descriptor: null };
    return { ...(await headerOnlyAnalyzer(b)), faces: age === null ? [] : [face] };
  };
  const res = await lib.importPhotos(projectId, files, analyze);
  res.forEach((r, i) => {
    if (r.status !== 'imported') throw new Error(JSON.stringify(r));
    if (rng[i].label !== null) lib.setPhotoLabelAge(r.photoId, rng[i].label);
    if (rng[i].tags.length) lib.tagPhotos([r.photoId], rng[i].tags);
  });
  photos = lib.listPhotos({ projectId, limit: 1000 }).items;
  expect(photos).toHaveLength(N);
});

afterAll(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

const effAge = (p: Photo) => p.labelAge ?? p.estimatedAge;
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

function reference(q: PhotoQuery): { ids: number[]; total: number } {
  let xs = photos.filter((p) => p.projectId === q.projectId);
  if (q.search?.trim()) xs = xs.filter((p) => fold(p.name).includes(fold(q.search!.trim())));
  if (q.minAge !== undefined) xs = xs.filter((p) => effAge(p) !== null && effAge(p)! >= q.minAge!);
  if (q.maxAge !== undefined) xs = xs.filter((p) => effAge(p) !== null && effAge(p)! <= q.maxAge!);
  if (q.tag) xs = xs.filter((p) => p.tags.some((t) => fold(t) === fold(q.tag!)));
  const nullsLast = (a: Photo, b: Photo, dir: 1 | -1) => {
    const x = effAge(a);
    const y = effAge(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return dir * cmp(x, y);
  };
  const orders: Record<PhotoSort, (a: Photo, b: Photo) => number> = {
    'imported-desc': (a, b) => cmp(b.importedAt, a.importedAt) || b.id - a.id,
    'imported-asc': (a, b) => cmp(a.importedAt, b.importedAt) || a.id - b.id,
    'name-asc': (a, b) => cmp(fold(a.name), fold(b.name)) || a.id - b.id,
    'age-asc': (a, b) => nullsLast(a, b, 1) || a.id - b.id,
    'age-desc': (a, b) => nullsLast(a, b, -1) || a.id - b.id,
  };
  xs = [...xs].sort(orders[q.sort ?? 'imported-desc']);
  const offset = q.offset ?? 0;
  return { ids: xs.slice(offset, offset + (q.limit ?? 100)).map((p) => p.id), total: xs.length };
}

describe('listPhotos', () => {
  it('matches a plain-JS reference for random queries', () => {
    // Each filter is present one time in three, so unfiltered orders (where photos without any
    // age sit) are exercised as often as narrow filters.
    const sometimes = <T>(a: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), fc.constant(undefined), a);
    const query = fc.record({
      search: sometimes(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_ ]{0,3}$/), fc.constantFrom('%', '_', '\\'))),
      minAge: sometimes(fc.integer({ min: 0, max: 90 })),
      maxAge: sometimes(fc.integer({ min: 0, max: 90 })),
      tag: sometimes(fc.constantFrom(...TAGS, 'BEACH', 'none')),
      sort: fc.constantFrom<PhotoSort>('imported-desc', 'imported-asc', 'name-asc', 'age-asc', 'age-desc'),
      limit: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 20 })),
      // Mostly the first page: random offsets past a filtered set's end prove little.
      offset: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 40 })),
    });
    fc.assert(
      fc.property(query, (q) => {
        const full: PhotoQuery = { projectId, ...q };
        const page = lib.listPhotos(full);
        const ref = reference(full);
        expect(page.total).toBe(ref.total);
        expect(page.items.map((p) => p.id)).toEqual(ref.ids);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
