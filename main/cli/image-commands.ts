/**
 * `face-age detect` and `face-age age`. The CLI is its own process (not main's event loop), so it
 * runs the engine's own op functions in-process: analyzeOp for faces, landmarks and ages, and
 * exportPhotoOp for the full-resolution photo with every face aged and pasted back.
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { initEngineBackend } from '../engine/backend';
import { exportPhotoOp } from '../engine/ops/export';
import { analyzeOp } from '../engine/ops/faces';
import type { AnalyzeWire } from '../engine/protocol';
import { CliError, EXIT, type CommandOutput, type GlobalOptions } from './command';
import { SHIPPED_DEFAULT_NAME, SHIPPED_MODEL_RANK } from '../../preload/schemas/models';

/** Used when a face has no age estimate (as the studio's previews do). */
const FALLBACK_SOURCE_AGE = 35;

async function backend(global: GlobalOptions): Promise<void> {
  // global.threads null: initBackend's default (FACE_AGE_THREADS, else the physical cores up to 8).
  await initEngineBackend(global.backend, global.threads);
}

async function analyze(image: string): Promise<AnalyzeWire> {
  if (!existsSync(image)) throw new CliError('not-found', `no such image: ${image}`, EXIT.failed);
  try {
    return await analyzeOp({ path: image });
  } catch (e) {
    const code = (e as { photoCode?: string }).photoCode;
    throw new CliError(code ?? 'bad-image', `${image}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failed);
  }
}

export async function runDetect(images: string[], global: GlobalOptions): Promise<CommandOutput> {
  if (images.length === 0) throw new CliError('invalid-payload', 'face-age detect needs at least one image', EXIT.usage);
  await backend(global);
  const results = [];
  const text: string[] = [];
  for (const image of images) {
    const r = await analyze(image);
    const faces = r.faces.map((f, index) => ({
      index,
      box: roundBox(f.box),
      score: round(f.score, 3),
      age: f.age === null ? null : round(f.age, 1),
      landmarks: f.landmarks.map((p) => ({ x: round(p.x, 1), y: round(p.y, 1) })),
    }));
    results.push({ image, width: r.width, height: r.height, faces });
    text.push(`${image}: ${r.width}x${r.height}, ${faces.length} face${faces.length === 1 ? '' : 's'}`);
    for (const f of faces) {
      const b = f.box;
      text.push(`  face ${f.index}: box ${b.x},${b.y} ${b.width}x${b.height}, score ${f.score}, age ${f.age ?? 'unknown'}`);
    }
  }
  return { json: { images: results }, text };
}

/**
 * Shipped models: assets/models/<SHIPPED_DEFAULT_NAME> when it is there (the engineered stages),
 * else the first checkpoint of the best kind by SHIPPED_MODEL_RANK (an Age-cGAN, else a CycleGAN,
 * else the prototype baseline, so `face-age age` works out of the box on any install).
 */
export function defaultShippedModel(assetsDir: string): string | null {
  const root = join(assetsDir, 'models');
  if (existsSync(join(root, SHIPPED_DEFAULT_NAME, 'meta.json'))) return join(root, SHIPPED_DEFAULT_NAME);
  const kinds = new Map<string, string>();
  const names = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  for (const name of names) {
    try {
      const meta = JSON.parse(readFileSync(join(root, name, 'meta.json'), 'utf8')) as { format?: string; kind?: string };
      const kind = meta.format === 'face-age-checkpoint' ? meta.kind : meta.format === 'face-age-prototype' || meta.format === 'face-age-engineered' ? 'prototype' : undefined;
      if (kind && !kinds.has(kind)) kinds.set(kind, join(root, name));
    } catch {
      // Not a model folder (or unreadable): not a candidate.
    }
  }
  const best = SHIPPED_MODEL_RANK.find((k) => kinds.has(k));
  return best ? (kinds.get(best) ?? null) : null;
}

/** --model: a folder, or the name of a shipped model in assets/models. */
export function resolveModel(spec: string | undefined, assetsDir: string): string {
  if (spec === undefined) {
    const found = defaultShippedModel(assetsDir);
    if (!found) throw new CliError('not-found', 'no shipped aging model in assets/models; pass --model <folder>', EXIT.failed);
    return found;
  }
  for (const dir of [resolve(spec), join(assetsDir, 'models', spec)]) {
    if (existsSync(join(dir, 'meta.json'))) return dir;
  }
  throw new CliError('not-found', `--model ${spec}: neither a model folder nor a shipped model name`, EXIT.failed);
}

const FORMATS = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' } as const;

export async function runAge(
  args: { image: string | undefined; target: unknown; model: unknown; out: unknown; quality: unknown; face: unknown },
  global: GlobalOptions,
  assetsDir: string,
): Promise<CommandOutput> {
  if (!args.image) throw new CliError('invalid-payload', 'face-age age needs an image', EXIT.usage);
  const target = Number(args.target);
  if (args.target === undefined || !Number.isFinite(target) || target < 0 || target > 120) {
    throw new CliError('invalid-payload', '--target must be an age from 0 to 120', EXIT.usage);
  }
  const quality = args.quality === undefined ? 92 : Number(args.quality);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new CliError('invalid-payload', '--quality must be 1..100', EXIT.usage);
  const out = typeof args.out === 'string' ? args.out : defaultOut(args.image, target);
  const format = FORMATS[extname(out).toLowerCase() as keyof typeof FORMATS];
  if (!format) throw new CliError('invalid-payload', `--out ${out}: use a .png, .jpg or .webp name`, EXIT.usage);
  const modelDir = resolveModel(typeof args.model === 'string' ? args.model : undefined, assetsDir);
  await backend(global);
  const started = performance.now();
  const analysed = await analyze(args.image);
  const usable = analysed.faces.map((f, index) => ({ f, index })).filter(({ f }) => f.landmarks.length === 68);
  const picked = args.face === undefined ? usable : usable.filter(({ index }) => index === Number(args.face));
  if (picked.length === 0) throw new CliError('no-face', `${args.image}: no face to age`, EXIT.failed);
  const faces = picked.map(({ f }) => ({ landmarks: f.landmarks, sourceAge: f.age ?? FALLBACK_SOURCE_AGE }));
  const image = await exportPhotoOp(
    { path: resolve(args.image), faces, age: target, modelDir, format, quality },
    new AbortController().signal,
  );
  await fs.mkdir(dirname(resolve(out)), { recursive: true });
  // Never a half-written file under the final name.
  const temp = `${out}.${process.pid}.partial`;
  await fs.writeFile(temp, image.bytes);
  await fs.rename(temp, out);
  const json = {
    image: args.image,
    out,
    model: modelDir,
    target,
    width: image.width,
    height: image.height,
    faces: picked.map(({ f, index }) => ({ index, sourceAge: f.age === null ? null : round(f.age, 1) })),
    ms: Math.round(performance.now() - started),
  };
  return { json, text: [`wrote ${out} (${image.width}x${image.height}, ${picked.length} face(s) aged to ${target}) in ${json.ms} ms`] };
}

function defaultOut(image: string, target: number): string {
  const ext = extname(image);
  const keep = FORMATS[ext.toLowerCase() as keyof typeof FORMATS] ? ext : '.png';
  return `${image.slice(0, image.length - ext.length)}-age${target}${keep}`;
}

function round(n: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(n * k) / k;
}

function roundBox(b: { x: number; y: number; width: number; height: number }) {
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) };
}
