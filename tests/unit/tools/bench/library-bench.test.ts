import { describe, expect, it } from 'vitest';
import { runLibraryBench, seededAge } from '../../../../tools/bench/library-bench';

// Correctness of the benchmark's work, not its speed: every generated photo is distinct and
// imported, and the listing queries return what the data implies.
describe('runLibraryBench', () => {
  it('imports N distinct generated photos and reports listing results that match the data', async () => {
    const n = 150;
    const r = await runLibraryBench({ photos: n, repeats: 3, search: 'IMG_0012' });
    expect(r.photos).toBe(n);
    expect(r.firstPage.matches).toBe(n);
    expect(r.searchByName.matches).toBe(10); // IMG_00120 .. IMG_00129
    const inRange = Array.from({ length: n }, (_, i) => seededAge(i)).filter((a) => a >= 30 && a <= 40).length;
    expect(r.filterByAge.matches).toBe(inRange);
    expect(r.photosPerSecond).toBeGreaterThan(0);
    expect(r.libraryMiB).toBeGreaterThan(0);
  });
});
