/**
 * Chooses the independent judge's crops and calibrates its same-person thresholds from data, and
 * writes models/eval/judges/thresholds.json. Built by `npm run build` as dist/judge-calibration.cjs
 * (about 2.5 s per val face on one busy core):
 *   FACE_AGE_THREADS=1 nice -n 10 node dist/judge-calibration.cjs \
 *     --data ../cache/utkface-128 --portraits ../shared/data/portraits --faces 300 \
 *     --raw ../cache/judge-calibration/raw.json
 *   node dist/judge-calibration.cjs --raw ../cache/judge-calibration/raw.json \
 *     --write models/eval/judges/thresholds.json --choose age=whole,reading=expected,faceres=whole,mobileface=whole
 * Measures, for every candidate crop (judges/crops.ts): faceres-deep's age error on labelled val
 * faces (expected value of the bins and human's arg-max reading), and for faceres-deep's
 * descriptor and mobileface's embedding (inputs 0..1 and 0..255) the distances of genuine pairs
 * (photos of one person from the portraits; a val face and a lightly augmented copy) and of
 * impostor pairs (val faces of the same gender and race, ages within 10 years). The threshold of
 * each net is the distance at a 1% false-accept rate on those impostor pairs.
 * A pack still being written grows by age (file-name order): measure it in passes with
 * `--merge --from-row N` (no --portraits; `--index-offset K` when the rows come from another pack
 * of the same images, e.g. tools/research/val-sample.ts), then analyse the raw file alone:
 *   node dist/judge-calibration.cjs --raw RAW --write models/eval/judges/thresholds.json --choose ...
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../models/backend/select';
import { analyzePhoto } from '../../models/face/analyze';
import { alignFace } from '../../models/face/align';
import { loadFaceModels } from '../../models/face/face-models';
import { decodeImage, resizeImage } from '../../models/image/image-io';
import { writeFileAtomic } from '../../models/core/atomic-write';
import { JUDGE_CROPS, cutCrop, type JudgeCropName } from '../../models/eval/judges/crops';
import { argmaxNeighbourAge, expectedAge, loadHumanNets, runFaceres, runMobileface, type HumanNets } from '../../models/eval/judges/human-nets';
import { cosineDistance } from '../../models/eval/judges/judge';
import { calibrateThreshold, matchedImpostorPairs, rateAtOrBelow } from '../../models/eval/judges/calibrate';
import { mulberry32 } from '../../models/core/rng';
import { IDENTITY_WARP, warpResize } from '../../models/data/augment';
import { SPLIT_VAL } from '../../models/data/face-source';
import { PackedFaceSource } from '../../models/data/packed-source';

// Candidates per net (the machine is shared: faceres-deep runs cost ~0.2-1 s each).
const CROP_NAMES: JudgeCropName[] = ['face-rect', 'whole', 'loose', 'arcface'];
const FACERES_CROPS: JudgeCropName[] = ['face-rect', 'whole', 'loose'];
const VECTORS = ['faceres', 'mobileface01', 'mobileface255'] as const;
type VectorName = (typeof VECTORS)[number];

interface Measured {
  ageExpected: number;
  ageArgmax: number;
  male: number;
  vectors: Record<VectorName, number[]>;
}
type PerCrop = Record<JudgeCropName, Measured>;

interface Raw {
  val: Array<{ index: number; age: number; stratum: string; plain: PerCrop; augmented: PerCrop }>;
  portraits: Array<{ file: string; person: string; crops: PerCrop }>;
}

async function measureAll(nets: HumanNets, crop: { size: number; data: Uint8Array }): Promise<PerCrop> {
  const out = {} as PerCrop;
  for (const name of CROP_NAMES) {
    const c = JUDGE_CROPS[name];
    const f = FACERES_CROPS.includes(name) ? cutCrop(crop, c, 224, 255) : null;
    const m01 = cutCrop(crop, c, 112, 1);
    const m255 = tf.tidy(() => tf.mul(m01, 255) as tf.Tensor4D);
    try {
      const r = f ? await runFaceres(nets, f) : null;
      out[name] = {
        ageExpected: r ? expectedAge(r.ageBins) : NaN,
        ageArgmax: r ? argmaxNeighbourAge(r.ageBins) : NaN,
        male: r ? r.male : NaN,
        vectors: {
          faceres: r ? Array.from(r.descriptor) : [],
          mobileface01: Array.from(await runMobileface(nets, m01)),
          mobileface255: Array.from(await runMobileface(nets, m255)),
        },
      };
    } finally {
      tf.dispose([m01, m255]);
      f?.dispose();
    }
  }
  return out;
}

/** 128 px packed crop -> 256 px (Lanczos, as measure.ts) with an optional warp at 128 first. */
async function to256(px: Uint8Array, S: number, warp = IDENTITY_WARP): Promise<{ size: number; data: Uint8Array }> {
  const f = new Float32Array(S * S * 3);
  warpResize(px, S, f, 0, S, warp);
  const bytes = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round((f[i] + 1) * 127.5)));
  return { size: 256, data: (await resizeImage({ width: S, height: S, data: bytes }, 256, 256)).data };
}

async function collect(dataDir: string, portraitsDir: string | undefined, faces: number, fromRow: number, indexOffset: number, log: (s: string) => void): Promise<Raw> {
  await initBackend({ backend: 'wasm', threads: 1 });
  await loadFaceModels();
  const nets = await loadHumanNets();
  const raw: Raw = { val: [], portraits: [] };
  for (const file of (portraitsDir ? await fs.readdir(portraitsDir) : []).filter((f) => /-\d\.jpg$/.test(f)).sort()) {
    const img = await decodeImage(path.join(portraitsDir!, file));
    const [face] = await analyzePhoto(img);
    const crop = alignFace(img, face, 256);
    raw.portraits.push({ file, person: file.replace(/-\d\.jpg$/, ''), crops: await measureAll(nets, crop) });
    log(`portrait ${file}`);
  }
  const src = await PackedFaceSource.open(dataDir);
  const pool: number[] = [];
  for (let i = fromRow; i < src.count; i++) if (src.splits[i] === SPLIT_VAL) pool.push(i);
  const n = Math.min(faces, pool.length);
  const rand = mulberry32(19);
  for (let k = 0; k < n; k++) {
    const index = pool[Math.floor((k * pool.length) / n)];
    const px = await src.read(index);
    // Light augmentation: 2% shift, 3% zoom, no flip (a mirrored face is another photo).
    const warp = { flip: false, dx: (rand() - 0.5) * 0.04 * src.size, dy: (rand() - 0.5) * 0.04 * src.size, scale: 1 + (rand() - 0.5) * 0.06 };
    raw.val.push({
      index: index + indexOffset,
      age: src.ages[index],
      stratum: src.strata?.[index] ?? '',
      plain: await measureAll(nets, await to256(px, src.size)),
      augmented: await measureAll(nets, await to256(px, src.size, warp)),
    });
    if (k % 5 === 0) log(`val ${k + 1}/${n}`);
  }
  await src.close();
  return raw;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function analyze(raw: Raw) {
  const ageByCrop: Record<string, { expected: number; argmax: number; expectedPlusHalf: number; genderAccuracy: number }> = {};
  for (const c of FACERES_CROPS) {
    const known = raw.val.filter((v) => v.stratum !== '');
    ageByCrop[c] = {
      expected: round(mean(raw.val.map((v) => Math.abs(v.plain[c].ageExpected - v.age))), 2),
      expectedPlusHalf: round(mean(raw.val.map((v) => Math.abs(v.plain[c].ageExpected + 0.5 - v.age))), 2),
      argmax: round(mean(raw.val.map((v) => Math.abs(v.plain[c].ageArgmax - v.age))), 2),
      // UTKFace gender: 0 male, 1 female.
      genderAccuracy: round(mean(known.map((v) => ((v.plain[c].male > 0.5) === v.stratum.startsWith('0/') ? 1 : 0))), 3),
    };
  }
  const impostors = matchedImpostorPairs(raw.val.map((v) => ({ age: v.age, stratum: v.stratum })), 10);
  const genuinePortraits: Array<[number, number]> = [];
  for (let i = 0; i < raw.portraits.length; i++) {
    for (let j = i + 1; j < raw.portraits.length; j++) if (raw.portraits[i].person === raw.portraits[j].person) genuinePortraits.push([i, j]);
  }
  const identity: Record<string, Record<string, object>> = {};
  for (const vname of VECTORS) {
    identity[vname] = {};
    for (const c of vname === 'faceres' ? FACERES_CROPS : CROP_NAMES) {
      const d = (a: Measured, b: Measured) => cosineDistance(Float32Array.from(a.vectors[vname]), Float32Array.from(b.vectors[vname]));
      const imp = impostors.map(([i, j]) => d(raw.val[i].plain[c], raw.val[j].plain[c]));
      const gen = genuinePortraits.map(([i, j]) => d(raw.portraits[i].crops[c], raw.portraits[j].crops[c]));
      const aug = raw.val.map((v) => d(v.plain[c], v.augmented[c]));
      const t = calibrateThreshold(imp, 0.01);
      identity[vname][c] = {
        threshold: round(t, 4),
        impostorPairs: imp.length,
        genuinePortraitPairs: gen.length,
        portraitAccept: round(rateAtOrBelow(gen, t)),
        augmentedAccept: round(rateAtOrBelow(aug, t)),
        meanImpostor: round(mean(imp)),
        meanGenuinePortrait: round(mean(gen)),
        meanAugmented: round(mean(aug)),
      };
    }
  }
  return { faces: raw.val.length, portraits: raw.portraits.length, ageMae: ageByCrop, identity, impostorPairs: impostors.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'index-offset': { type: 'string' }, 'from-row': { type: 'string' }, merge: { type: 'boolean' }, data: { type: 'string' }, portraits: { type: 'string' }, faces: { type: 'string' }, raw: { type: 'string' }, write: { type: 'string' }, choose: { type: 'string' } },
  });
  const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  const rawFile = values.raw ?? path.resolve('..', 'cache', 'judge-calibration', 'raw.json');
  let raw: Raw;
  if (existsSync(rawFile) && !values.data) raw = JSON.parse(await fs.readFile(rawFile, 'utf8')) as Raw;
  else {
    if (!values.data || (!values.portraits && !values.merge)) throw new Error('--data DIR and --portraits DIR are required (or an existing --raw file)');
    raw = await collect(values.data, values.portraits, Number(values.faces ?? 300), Number(values['from-row'] ?? 0), Number(values['index-offset'] ?? 0), log);
    // --merge adds these faces (and portraits, if any) to an existing raw file: the packed dataset
    // grows in file-name order (= by age), so a partial pack can be measured in two passes.
    if (values.merge && existsSync(rawFile)) {
      const old = JSON.parse(await fs.readFile(rawFile, 'utf8')) as Raw;
      const seen = new Set(old.val.map((v) => v.index));
      raw = { val: [...old.val, ...raw.val.filter((v) => !seen.has(v.index))], portraits: raw.portraits.length ? raw.portraits : old.portraits };
    }
    await fs.mkdir(path.dirname(rawFile), { recursive: true });
    await writeFileAtomic(rawFile, JSON.stringify(raw));
  }
  const report = analyze(raw);
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  if (values.write) await writeThresholds(raw, report, values.write, values.choose ?? 'age=whole,faceres=whole,mobileface=whole', log);
}

/**
 * thresholds.json for the chosen crops (--choose age=CROP,faceres=CROP,mobileface=CROP): each net's
 * threshold, and the vote's (mean of distance / threshold) at the same false-accept rate.
 */
async function writeThresholds(raw: Raw, report: ReturnType<typeof analyze>, file: string, choose: string, log: (s: string) => void): Promise<void> {
  const pick = Object.fromEntries(choose.split(',').map((kv) => kv.split('='))) as Record<'age' | 'faceres' | 'mobileface', JudgeCropName> & { reading?: 'expected' | 'argmax' };
  const reading = pick.reading ?? 'expected';
  const id = report.identity as Record<string, Record<string, { threshold: number; portraitAccept: number; augmentedAccept: number }>>;
  const fr = id.faceres[pick.faceres];
  const mf = id.mobileface255[pick.mobileface];
  const d = (a: PerCrop, b: PerCrop) => {
    const df = cosineDistance(Float32Array.from(a[pick.faceres].vectors.faceres), Float32Array.from(b[pick.faceres].vectors.faceres));
    const dm = cosineDistance(Float32Array.from(a[pick.mobileface].vectors.mobileface255), Float32Array.from(b[pick.mobileface].vectors.mobileface255));
    return (df / fr.threshold + dm / mf.threshold) / 2;
  };
  const impostors = matchedImpostorPairs(raw.val.map((v) => ({ age: v.age, stratum: v.stratum })), 10);
  const imp = impostors.map(([i, j]) => d(raw.val[i].plain, raw.val[j].plain));
  const gen: number[] = [];
  for (let i = 0; i < raw.portraits.length; i++) {
    for (let j = i + 1; j < raw.portraits.length; j++) if (raw.portraits[i].person === raw.portraits[j].person) gen.push(d(raw.portraits[i].crops, raw.portraits[j].crops));
  }
  const aug = raw.val.map((v) => d(v.plain, v.augmented));
  const vote = calibrateThreshold(imp, 0.01);
  const out = {
    generatedBy: 'tools/research/judge-calibration.ts (see its header for the command)',
    falseAcceptRate: 0.01,
    impostorPairs: impostors.length,
    faces: report.faces,
    portraits: report.portraits,
    age: { net: 'faceres-deep', crop: pick.age, reading, mae: report.ageMae[pick.age][reading], maeByReading: report.ageMae[pick.age] },
    nets: {
      faceres: { crop: pick.faceres, metric: 'cosine', inputScale: 255, threshold: fr.threshold, portraitAccept: fr.portraitAccept, augmentedAccept: fr.augmentedAccept },
      mobileface: { crop: pick.mobileface, metric: 'cosine', inputScale: 255, threshold: mf.threshold, portraitAccept: mf.portraitAccept, augmentedAccept: mf.augmentedAccept },
    },
    vote: { threshold: round(vote, 4), portraitAccept: round(rateAtOrBelow(gen, vote)), augmentedAccept: round(rateAtOrBelow(aug, vote)) },
  };
  await writeFileAtomic(file, JSON.stringify(out, null, 1) + '\n');
  log(`wrote ${file}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`judge-calibration: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
