/**
 * Benchmark of the data side of training: how long FaceDataset takes to assemble a balanced,
 * augmented batch at each resolution (it must stay far below a training step's time). Reads a
 * packed dataset when `packedDir` is given, else a synthetic in-memory source of 128 px faces.
 */
import { FaceDataset } from '../../models/data/face-dataset';
import { MemoryFaceSource, type FaceSource } from '../../models/data/face-source';
import { PackedFaceSource } from '../../models/data/packed-source';

export interface TrainDataBenchResult {
  source: string;
  faces: number;
  batchSize: number;
  rows: Array<{ resolution: number; msPerBatch: number; facesPerSecond: number }>;
}

export async function runTrainDataBench(opts: { packedDir?: string; batchSize?: number; batches?: number } = {}): Promise<TrainDataBenchResult> {
  const batchSize = opts.batchSize ?? 32;
  const batches = opts.batches ?? 10;
  let source: FaceSource;
  if (opts.packedDir) source = await PackedFaceSource.open(opts.packedDir);
  else {
    const n = 512;
    const px = new Uint8Array(n * 128 * 128 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
    source = new MemoryFaceSource(128, px, Float32Array.from({ length: n }, (_, i) => (i * 7) % 90), new Uint8Array(n));
  }
  const rows: TrainDataBenchResult['rows'] = [];
  try {
    for (const resolution of [64, 96, 128]) {
      const ds = new FaceDataset(source, { split: 'train', resolution, seed: 1 });
      (await ds.batch(0, batchSize)).images.dispose(); // warm-up
      const t0 = performance.now();
      for (let s = 1; s <= batches; s++) (await ds.batch(s, batchSize)).images.dispose();
      const ms = (performance.now() - t0) / batches;
      rows.push({ resolution, msPerBatch: Math.round(ms * 10) / 10, facesPerSecond: Math.round((batchSize / ms) * 1000) });
    }
  } finally {
    await source.close();
  }
  return { source: opts.packedDir ?? 'synthetic', faces: source.count, batchSize, rows };
}
