/**
 * The learned appearance stage: a CycleGAN with generator.prior 'engineered' refines the shipped
 * mean faces' change in the reference frame. Checked on the real shipped means and a real face:
 * the teacher is zero at the source age and only inside the face; a generator saved with that
 * prior reloads with the same teacher; an engineered folder with a refiner/ ages through it, and an
 * untrained refiner (an identity residual) reproduces the teacher's change on the face.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { loadFaceModels } from '../../../../models/face/face-models';
import { decodeImage } from '../../../../models/image/image-io';
import { loadAppearanceMeans } from '../../../../models/stages/appearance/normalised-means';
import { MeansTeacher } from '../../../../models/stages/appearance/means-teacher';
import { EngineeredAgingModel, REFINER_DIR, loadEngineeredModel } from '../../../../models/stages/engineered-model';
import { defaultCycleGanConfig } from '../../../../models/recipes/cyclegan/config';
import { createCycleGanTrainer, exportCycleGanModel } from '../../../../models/recipes/cyclegan/export';
import { loadPrior } from '../../../../models/recipes/cyclegan/checkpoint';

const DIR = path.resolve(__dirname, '../../../../assets/models/engineered');
const FACES = path.resolve(__dirname, '../../../fixtures/faces');

let teacher: MeansTeacher;
let tmp: string;
let face: tf.Tensor4D;
let S: number;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  const means = await loadAppearanceMeans(DIR);
  teacher = new MeansTeacher(means!);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'refiner-'));
  const img = await decodeImage(path.join(FACES, 'face-00-obama-1.jpg'));
  S = img.width;
  face = tf.tensor4d(Float32Array.from(img.data, (v) => v / 127.5 - 1), [1, S, S, 3]);
});

afterAll(async () => {
  face?.dispose();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

function smallConfig() {
  const c = defaultCycleGanConfig(64);
  return { ...c, generator: { ...c.generator, ngf: 8, nBlocks: 1, output: 'residual' as const, prior: 'engineered' as const } };
}

describe('the mean faces as a teacher and a CycleGAN refiner of them', () => {
  it('teaches no change at the source age, a change inside the face toward another age, none at the corners', () => {
    const R = teacher.resolution;
    expect(Math.max(...teacher.difference(40, 40).map(Math.abs))).toBe(0);
    const d = teacher.difference(30, 80);
    let inside = 0;
    for (let y = Math.floor(0.45 * R); y < 0.7 * R; y++) for (let x = Math.floor(0.35 * R); x < 0.65 * R; x++) for (let c = 0; c < 3; c++) inside += Math.abs(d[(y * R + x) * 3 + c]);
    expect(inside).toBeGreaterThan(1);
    for (const [x, y] of [[1, 1], [R - 2, 1], [1, R - 2], [R - 2, R - 2]]) for (let c = 0; c < 3; c++) expect(d[(y * R + x) * 3 + c]).toBe(0);
  });

  it('saves the prior beside the generator and reads the same teacher back', async () => {
    const t = createCycleGanTrainer(smallConfig(), { teacher });
    const out = path.join(tmp, 'model', REFINER_DIR);
    try {
      await exportCycleGanModel(t, out);
    } finally {
      t.dispose();
    }
    const back = await loadPrior(out, smallConfig());
    expect(back).toBeInstanceOf(MeansTeacher);
    const a = teacher.difference(25, 70);
    const b = back!.difference(25, 70);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    // Stored as uint16 at 1/200 of a grey level.
    expect(max * 127.5).toBeLessThan(0.05);
  });

  it('an engineered folder with a refiner ages through it; untrained, it gives the teacher change', async () => {
    const dir = path.join(tmp, 'model');
    for (const f of ['meta.json', 'shape-means.json', 'appearance.json', 'appearance.bin', 'texture.json', 'texture.bin']) await fs.copyFile(path.join(DIR, f), path.join(dir, f));
    const refined = await loadEngineeredModel(dir);
    const plain = await loadEngineeredModel(dir, { refiner: false });
    expect(refined.refiner).not.toBeNull();
    expect(plain.refiner).toBeNull();
    const input = (await face.data()) as Float32Array;
    const { shape } = await (refined as EngineeredAgingModel).hintsFor(input, S);
    const learned = await refined.learnedChange(input, S, shape, 30, 80);
    // The untrained refiner is an identity residual over x + teacher delta: its change is the
    // teacher's (at the generator's 64 px, so blurred), centred on the face like the means' path.
    const R = teacher.resolution;
    const ref = teacher.difference(30, 80);
    let dot = 0;
    let nl = 0;
    let nr = 0;
    for (let i = 0; i < R * R * 3; i++) {
      const r = ref[i] * 127.5;
      dot += learned[i] * r;
      nl += learned[i] * learned[i];
      nr += r * r;
    }
    expect(nl).toBeGreaterThan(0);
    expect(dot / Math.sqrt(nl * nr)).toBeGreaterThan(0.8);
    const out = await refined.age(face, 30, 80);
    const px = (await out.output.data()) as Float32Array;
    out.output.dispose();
    let change = 0;
    for (let i = 0; i < px.length; i++) change += Math.abs(px[i] - input[i]) * 127.5;
    expect(change / px.length).toBeGreaterThan(1);
    refined.dispose();
    plain.dispose();
  });
});
