/**
 * Shared set-up of the cyclegan-* tests: the engine's cpu backend, tiny configs, and faces
 * from tests/fixtures/faces (aligned 128x128 crops + labels.csv `file,age`), resized with sharp.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../models/backend/select';
import { defaultCycleGanConfig, type CycleGanConfig } from '../../models/recipes/cyclegan/config';

export const FACES_DIR = path.join(__dirname, '..', 'fixtures', 'faces');

/** The engine's backend selection (gradients + fixes registered), forced to deterministic cpu. */
export async function useCpu(): Promise<void> {
  const info = await initBackend({ backend: 'cpu' });
  if (info.name !== 'cpu') throw new Error(`expected the cpu backend, got ${info.name}`);
}

/** A config small enough for unit tests on 2 busy cores (ngf 8, 1-2 blocks, tiny D). */
export function tinyConfig(res = 16, over: Partial<CycleGanConfig> = {}): CycleGanConfig {
  const c = defaultCycleGanConfig(res, { totalSteps: 100 });
  c.resolutionSchedule = [];
  c.generator = { ...c.generator, ngf: 8, nBlocks: 1 };
  c.discriminator = { ...c.discriminator, ndf: 8, nLayers: res >= 32 ? 3 : 2 };
  c.poolSize = 3;
  c.loss = { ...c.loss, reconRampStart: 0, reconRampSteps: 0 };
  return { ...c, ...over };
}

export interface Faces {
  images: tf.Tensor4D;
  ages: Float32Array;
  files: string[];
  synthetic: boolean;
}

/**
 * `count` faces at `res` px: the committed fixtures when present (young and old first, so both
 * domains are represented), else smooth deterministic synthetic images with the same ages.
 */
export async function loadFaces(res: number, count: number): Promise<Faces> {
  const csv = path.join(FACES_DIR, 'labels.csv');
  if (existsSync(csv)) {
    const rows = (await fs.readFile(csv, 'utf8'))
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(','))
      .map(([file, age]) => ({ file, age: Number(age) }))
      .filter((r) => r.file && Number.isFinite(r.age));
    const young = rows.filter((r) => r.age >= 18 && r.age < 30);
    const old = rows.filter((r) => r.age >= 60);
    const picked: typeof rows = [];
    for (let i = 0; picked.length < count && (i < young.length || i < old.length); i++) {
      if (i < young.length) picked.push(young[i]);
      if (i < old.length && picked.length < count) picked.push(old[i]);
    }
    if (picked.length >= Math.min(count, 2) && young.length && old.length) {
      const data = new Float32Array(picked.length * res * res * 3);
      for (let i = 0; i < picked.length; i++) {
        const raw = await sharp(path.join(FACES_DIR, picked[i].file))
          .removeAlpha()
          .resize(res, res)
          .raw()
          .toBuffer();
        for (let j = 0; j < raw.length; j++) data[i * raw.length + j] = raw[j] / 127.5 - 1;
      }
      return {
        images: tf.tensor4d(data, [picked.length, res, res, 3]),
        ages: Float32Array.from(picked.map((p) => p.age)),
        files: picked.map((p) => p.file),
        synthetic: false,
      };
    }
  }
  const images = tf.tidy(() => {
    const low = tf.randomUniform([count, 4, 4, 3], -0.8, 0.8, 'float32', 11) as tf.Tensor4D;
    return tf.image.resizeBilinear(low, [res, res], true);
  });
  const ages = Float32Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 24 : 68));
  return { images, ages, files: [], synthetic: true };
}
