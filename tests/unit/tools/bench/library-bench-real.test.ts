/**
 * The real-photo import benchmark does real work: real fixture photos through the engine's face
 * analyzer (analyzeOp on wasm) into a real library; every copy is imported (the cropped copies of
 * round 1 are distinct files) and the faces found match the photos. Speed is the bench's business.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runRealPhotoImportBench } from '../../../../tools/bench/library-bench';
import { analyzeOp } from '../../../../main/engine/ops/faces';
import { initBackend } from '../../../../models/backend/select';

const photos = path.resolve(__dirname, '..', '..', '..', 'fixtures', 'photos');

describe('runRealPhotoImportBench', () => {
  it('imports real photos (and cropped copies) with the real analyzer and counts their faces', async () => {
    await initBackend({ backend: 'wasm', threads: 1 });
    const r = await runRealPhotoImportBench({
      files: [path.join(photos, 'one-face.jpg'), path.join(photos, 'two-faces.jpg'), path.join(photos, 'no-face.jpg')],
      analyzer: (bytes) => analyzeOp({ bytes }),
      rounds: 2,
    });
    expect(r).toMatchObject({ photos: 6, sources: 3, rounds: 2, imported: 6 });
    // one-face: 1, two-faces: 2, no-face: 0; the 1-px crop keeps every face.
    expect(r.faces).toBe(6);
    expect(r.photosWithFaces).toBe(4);
    expect(r.photosPerSecond).toBeGreaterThan(0);
    expect(r.analyzeMs.median).toBeGreaterThan(0);
  });
});
