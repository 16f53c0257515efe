/** Sample grid for the dashboard: one row per face, one column per visual name. */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceBatch, SampleGrid } from '../../core/trainer';
import { domainCentre, type CycleGanConfig } from './config';
import { ageCode, domainOf } from './age-code';
import type { AgeGenerator } from './networks';

const MAX_ROWS = 8;

function codeTensor(ages: number[], config: CycleGanConfig): tf.Tensor2D {
  const g = config.domains.length;
  const flat = new Float32Array(ages.length * g);
  ages.forEach((a, i) => flat.set(ageCode(a, config.domains), i * g));
  return tf.tensor2d(flat, [ages.length, g]);
}

/** Tiles [rows, R, R, 3|1] images in [-1, 1] (or [0, 1] masks) into an RGB byte grid. */
export async function renderSampleGrid(
  gen: AgeGenerator,
  config: CycleGanConfig,
  batch: FaceBatch,
  columns: readonly string[],
  /** G's input for faces of ages `from` going to ages `to` (a model with a prior), else x itself. */
  prior?: (x: tf.Tensor4D, from: number[], to: number[]) => tf.Tensor4D,
): Promise<SampleGrid> {
  const input = (x: tf.Tensor4D, from: number[], to: number[]) => (prior ? prior(x, from, to) : x);
  const r = config.resolution;
  const rows = Math.min(MAX_ROWS, batch.images.shape[0]);
  const ages = Array.from(batch.ages.subarray(0, rows));
  const domains = config.domains;
  // The "other" domain for the cycle column: the first domain that is not the face's own.
  const other = ages.map((a) => {
    const s = domainOf(a, domains);
    return domainCentre(domains[s === 0 ? 1 : 0]);
  });
  const tiles = tf.tidy(() => {
    let x = tf.slice(batch.images, [0, 0, 0, 0], [rows, -1, -1, -1]) as tf.Tensor4D;
    if (x.shape[1] !== r || x.shape[2] !== r) x = tf.image.resizeBilinear(x, [r, r], true);
    const cols: tf.Tensor4D[] = [x];
    for (const d of domains) {
      const to = ages.map(() => domainCentre(d));
      cols.push(gen.translate(input(x, ages, to), codeTensor(to, config)).image);
    }
    const t = gen.translate(input(x, ages, other), codeTensor(other, config));
    cols.push(gen.translate(input(t.image, other, ages), codeTensor(ages, config)).image);
    if (t.mask) cols.push(tf.sub(tf.mul(tf.tile(t.mask, [1, 1, 1, 3]), 2), 1));
    // [rows, R, cols * R, 3] -> bytes
    const grid = tf.concat(cols.map((c) => tf.clipByValue(c, -1, 1)), 2);
    return tf.cast(tf.round(tf.mul(tf.add(grid, 1), 127.5)), 'int32');
  });
  const data = await tiles.data();
  tiles.dispose();
  if (tiles.shape[2] !== r * columns.length) throw new Error('sample grid columns do not match visual names');
  return { width: r * columns.length, height: r * rows, rgb: Uint8Array.from(data), columns: [...columns] };
}
