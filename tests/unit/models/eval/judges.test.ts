import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, promises as fs, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../../models/backend/select';
import { loadFaceModels } from '../../../../models/face/face-models';
import { decodeImage } from '../../../../models/image/image-io';
import { openEvalData, readFaceAt, type EvalData } from '../../../../models/eval/eval-data';
import { evaluateModel } from '../../../../models/eval/evaluate';
import { cropLandmarks, measureWithJudges } from '../../../../models/eval/judged-measure';
import { faceApiJudge } from '../../../../models/eval/judges/face-api-judge';
import { humanModelsDir } from '../../../../models/eval/judges/human-nets';
import { loadIndependentJudge } from '../../../../models/eval/judges/independent-judge';
import type { Judge, JudgeMeasurement } from '../../../../models/eval/judges/judge';
import { floatsToBytes, measureCrop } from '../../../../models/eval/measure';
import { identityModel } from '../../../helpers/eval-fakes';

// Real aligned crops of real people (tests/fixtures/faces, labelled by hand). Indices into the folder:
const OBAMA_1 = 0;
const OBAMA_2 = 1;
const BIDEN_1 = 4; // 62
const KIT_1 = 6; // 29
const ROSE_1 = 8;
const ALEX_1 = 10;
const ROOT = path.join(__dirname, '..', '..', '..', '..');

let data: EvalData;
let independent: Judge;
let tmp: string;
const measured = new Map<number, { independent: JudgeMeasurement; faceApi: JudgeMeasurement }>();

async function measure(i: number) {
  if (!measured.has(i)) {
    const m = await measureWithJudges(floatsToBytes(await readFaceAt(data.source, i, 128)), 128, [faceApiJudge, independent]);
    measured.set(i, { independent: m.byJudge.independent, faceApi: m.byJudge['face-api'] });
  }
  return measured.get(i)!;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  independent = await loadIndependentJudge(); // faceres-deep + mobileface, once for the file
  data = await openEvalData(path.join(ROOT, 'tests', 'fixtures', 'faces'));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'eval-judges-'));
});

afterAll(async () => {
  await data?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the judges on real faces', () => {
  it('loads the independent nets from the installed package files', () => {
    // Resolved through the package (node_modules may be a link), never from the working directory.
    expect(humanModelsDir().endsWith(path.join('node_modules', '@vladmandic', 'human-models', 'models'))).toBe(true);
    expect(existsSync(path.join(humanModelsDir(), 'faceres-deep.json'))).toBe(true);
    expect(independent.identityNets.map((n) => n.name)).toEqual(['faceres', 'mobileface']);
  });

  it('reads a 29-year-old younger than a 62-year-old, and adults as adults', async () => {
    const kit = (await measure(KIT_1)).independent.age;
    const biden = (await measure(BIDEN_1)).independent.age;
    expect(kit).toBeLessThan(biden - 10);
    expect(kit).toBeGreaterThan(15);
    expect(biden).toBeLessThan(90);
  });

  it('puts two photos of one person closer than two people on both identity nets', async () => {
    const a = (await measure(OBAMA_1)).independent;
    const b = (await measure(OBAMA_2)).independent;
    for (const other of [KIT_1, ALEX_1, ROSE_1]) {
      const o = (await measure(other)).independent;
      const same = independent.compare(a, b);
      const diff = independent.compare(a, o);
      expect(same.distances.faceres).toBeLessThan(diff.distances.faceres);
      expect(same.distances.mobileface).toBeLessThan(diff.distances.mobileface);
      expect(same.score).toBeLessThan(diff.score);
      expect(diff.same).toBe(false);
    }
    // (Not asserted: that the vote calls obama-1 and obama-2 the same person. At a 1% false-accept
    // rate on matched UTKFace impostors it accepts only half the portrait pairs: thresholds.json.)
  });

  it('the face-api judge gives exactly the numbers of measureCrop', async () => {
    const bytes = floatsToBytes(await readFaceAt(data.source, OBAMA_1, 128));
    const old = await measureCrop(bytes, 128);
    const m = (await measure(OBAMA_1)).faceApi;
    expect(m.age).toBe(old.age);
    expect(Array.from(m.vectors['face-api'])).toEqual(Array.from(old.descriptor));
  });

  it('leaks no tensor per measured face (judges and landmarks)', async () => {
    const bytes = floatsToBytes(await readFaceAt(data.source, ROSE_1, 128));
    await measureWithJudges(bytes, 128, [faceApiJudge, independent], { landmarks: true });
    const before = tf.memory().numTensors;
    for (let k = 0; k < 2; k++) await measureWithJudges(bytes, 128, [faceApiJudge, independent], { landmarks: true });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('evaluateModel with both judges, --save and --shape-means', () => {
  it('writes decodable PNGs and a pairs.csv whose rows match the report', async () => {
    // Mean shapes: the landmarks of two fixture faces, at ages 10 and 70.
    const shapeA = Array.from(await cropLandmarks(floatsToBytes(await readFaceAt(data.source, KIT_1, 128)), 128));
    const shapeB = Array.from(await cropLandmarks(floatsToBytes(await readFaceAt(data.source, BIDEN_1, 128)), 128));
    const meansFile = path.join(tmp, 'means.json');
    writeFileSync(meansFile, JSON.stringify({ ages: [10, 70], shapes: [shapeA, shapeB] }));
    const save = path.join(tmp, 'saved');
    const r = await evaluateModel({
      model: identityModel,
      data,
      targets: [30, 60],
      limit: 2,
      judges: [faceApiJudge, independent],
      shapeMeans: JSON.parse(await fs.readFile(meansFile, 'utf8')),
      saveDir: save,
      referencePerTarget: 3,
    });
    // An identity model: nothing achieved, every face the same person on both judges, shapes unmoved.
    for (const j of ['face-api', 'independent']) {
      expect(r.judges[j].sameRate).toBe(1);
      expect(r.judges[j].achieved.share ?? 0).toBeCloseTo(0, 6);
    }
    expect(r.judges['face-api'].maeCalibrated).toBeCloseTo(r.age.maeCalibrated!, 10);
    expect(r.shape!.overall.meanProgress!).toBeCloseTo(0, 6);
    expect(r.goals19.independentAchievedAtLeast08 ?? false).toBe(false);
    expect(r.saved).toEqual({ dir: save, pairs: 4 });

    const csv = (await fs.readFile(path.join(save, 'pairs.csv'), 'utf8')).trim().split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 4)).toEqual(['input', 'output', 'target', 'label']);
    expect(header).toContain('independent_faceres_distance');
    expect(header).toContain('face-api_face-api_distance');
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(4);
    expect(rows.map((x) => x.target)).toEqual(['30', '60', '30', '60']);
    for (const row of rows) {
      for (const f of [row.input, row.output]) {
        expect(existsSync(path.join(save, f))).toBe(true);
        const img = await decodeImage(path.join(save, f));
        expect([img.width, img.height]).toEqual([128, 128]);
      }
      expect(Number(row['independent_output_age'])).toBeCloseTo(Number(row['independent_input_age']), 3);
      expect(row['independent_same']).toBe('1');
    }
    expect(readdirSync(save).filter((f) => f.endsWith('.png'))).toHaveLength(2 + 4);
  });
});
