/**
 * `face-age finetune --base <model id|name|folder> --photos DIR --out <folder|library>`: the
 * studio's own fine-tune path on the command line. A studio core opens the library (--library, or
 * <out>/.library), starts the engine (dist/engine.cjs) which imports the photos (faces, landmarks,
 * descriptors), checks they are one person (TrainingRuns.checkPhotos), and runs the fine-tune in
 * the forked training child (dist/train-child.cjs). The new version is registered with the base as
 * its parent; with --out <folder> it is also copied there (loadable by `face-age age --model`).
 */
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { createStudioCore, type StudioCore } from '../core/core';
import { forkLauncher } from '../engine/launcher';
import { defaultFinetuneSteps } from '../engine/ops/train';
import type { Library } from '../library/library';
import { CliError, EXIT, type CommandOutput, type GlobalOptions } from './command';
import { onInterrupt, progressPrinter } from './progress-lines';

export const FINETUNE_CLI_OPTIONS = {
  base: { type: 'string' },
  photos: { type: 'string' },
  out: { type: 'string' },
  steps: { type: 'string' },
  name: { type: 'string' },
  'identity-weight': { type: 'string' },
  'descriptor-weight': { type: 'string' },
  resume: { type: 'boolean' },
} as const;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif']);
const IMPORT_CHUNK = 25;
const call = { host: 'cli' as const };

function usage(message: string): CliError {
  return new CliError('invalid-payload', `face-age finetune: ${message}`, EXIT.usage);
}

function numberOption(raw: unknown, name: string, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) throw usage(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  return n;
}

function value<T>(r: { ok: boolean; value?: unknown; error?: { code: string; message: string } }): T {
  if (!r.ok) throw new CliError(r.error?.code ?? 'internal', r.error?.message ?? 'request failed', EXIT.failed);
  return r.value as T;
}

interface ImportResponse {
  imported: Array<{ id: string; name: string }>;
  duplicates: Array<{ id: string; name: string }>;
  failed: Array<{ name: string; code: string; message: string }>;
}

/** --base: a library model id, a library model name, or a model folder (registered as a base once). */
async function resolveBase(lib: Library, spec: string): Promise<number> {
  const models = lib.listModels();
  if (/^\d+$/.test(spec) && models.some((m) => m.id === Number(spec))) return Number(spec);
  const named = models.filter((m) => m.name === spec);
  if (named.length > 0) return named.sort((a, b) => Number(b.isBase) - Number(a.isBase) || a.id - b.id)[0].id;
  const dir = resolve(spec);
  const metaFile = join(dir, 'meta.json');
  if (!existsSync(metaFile)) throw new CliError('not-found', `--base ${spec}: neither a model in the library nor a model folder`, EXIT.failed);
  const known = models.find((m) => m.config.importedFrom === dir);
  if (known) return known.id;
  const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { format?: string; kind?: string; config?: Record<string, unknown> };
  if (meta.format !== 'face-age-checkpoint' || (meta.kind !== 'cyclegan' && meta.kind !== 'age-cgan')) {
    throw new CliError('unsupported', `--base ${spec}: fine-tuning needs a CycleGAN or Age-cGAN model (this folder holds ${meta.kind ?? meta.format ?? 'something else'})`, EXIT.failed);
  }
  const model = await lib.registerModel({
    kind: meta.kind,
    name: basename(dir),
    isBase: true,
    weightsDir: dir,
    config: { ...(meta.config as object), importedFrom: dir, ageRange: [0, 90] },
  });
  return model.id;
}

/** Imports every image of the folder into the project "<folder name>" (duplicates are reused). */
async function importPhotos(core: StudioCore, lib: Library, folder: string, log: (s: string) => void) {
  const names = (await fs.readdir(folder)).filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new CliError('not-found', `--photos ${folder}: no images (${[...IMAGE_EXTENSIONS].join(' ')})`, EXIT.failed);
  const projectName = `Fine-tune: ${basename(folder)}`;
  const project = lib.listProjects().find((p) => p.name === projectName) ?? lib.createProject({ name: projectName });
  const ids: number[] = [];
  const fileOf = new Map<number, string>();
  const unreadable: Array<{ file: string; reason: string }> = [];
  for (let i = 0; i < names.length; i += IMPORT_CHUNK) {
    const chunk = names.slice(i, i + IMPORT_CHUNK);
    const files = await Promise.all(chunk.map(async (name) => ({ name, bytes: new Uint8Array(await fs.readFile(join(folder, name))) })));
    const r = value<ImportResponse>(await core.dispatch('photos:import', { projectId: String(project.id), source: { kind: 'bytes', files } }, call));
    for (const p of [...r.imported, ...r.duplicates]) {
      ids.push(Number(p.id));
      fileOf.set(Number(p.id), p.name);
    }
    for (const f of r.failed) unreadable.push({ file: f.name, reason: f.message });
    log(`imported ${Math.min(i + IMPORT_CHUNK, names.length)}/${names.length} photos`);
  }
  return { ids, fileOf, unreadable };
}

export async function runFinetuneCli(values: Record<string, unknown>, global: GlobalOptions, err: (line: string) => void): Promise<CommandOutput> {
  const base = values.base;
  const photos = values.photos;
  const out = values.out;
  if (typeof base !== 'string' || !base) throw usage('--base <model id|name|folder> is required');
  if (typeof photos !== 'string' || !photos) throw usage('--photos DIR is required');
  if (typeof out !== 'string' || !out) throw usage('--out <folder|library> is required');
  if (out === 'library' && !global.library) throw usage('--out library needs --library DIR');
  const stepsOption = numberOption(values.steps, 'steps', 1, 100_000, true);
  const identityWeight = numberOption(values['identity-weight'], 'identity-weight', 0, 100, false);
  const descriptorWeight = numberOption(values['descriptor-weight'], 'descriptor-weight', 0, 100, false);
  const threads = global.threads ?? undefined;
  const photoDir = resolve(photos);
  if (!existsSync(photoDir)) throw new CliError('not-found', `--photos ${photos}: no such folder`, EXIT.failed);
  const outDir = out === 'library' ? null : resolve(out);
  const libraryDir = global.library ? resolve(global.library) : join(outDir as string, '.library');
  const say = (text: string, obj: Record<string, unknown>) => err(global.json ? JSON.stringify(obj) : text);

  const configDir = await fs.mkdtemp(join(tmpdir(), 'face-age-cli-'));
  const distDir = dirname(global.enginePath);
  const core = createStudioCore({
    host: 'cli',
    configDir,
    defaultLibraryDir: libraryDir,
    libraryDirOverride: libraryDir,
    backendOverride: global.backend,
    engineLauncher: forkLauncher(global.enginePath),
    assetsDir: join(distDir, '..', 'assets'),
    versions: { app: 'cli', electron: null, chrome: null },
    training: {
      workerPath: join(distDir, 'train-child.cjs'),
      backend: global.backend === 'tensorflow-gpu' ? 'tensorflow' : global.backend,
      threads,
    },
  });
  let off = () => {};
  try {
    core.start();
    const lib = await core.context.library();
    const baseId = await resolveBase(lib, base);
    const baseModel = lib.getModel(baseId);
    // Each recipe has its own default (models/training/finetune.ts).
    const steps = stepsOption ?? defaultFinetuneSteps(baseModel.kind);
    const imported = await importPhotos(core, lib, photoDir, (s) => say(s, { event: 'import', message: s }));
    if (imported.ids.length === 0) throw new CliError('no-face', 'no photo could be imported', EXIT.failed);
    const check = await core.training.checkPhotos(imported.ids);
    const skipped = [
      ...imported.unreadable,
      ...check.skipped.map((s) => ({ file: imported.fileOf.get(s.photoId) ?? String(s.photoId), reason: s.reason })),
    ];
    const flagged = check.faces.filter((f) => f.flagged).map((f) => ({ file: imported.fileOf.get(f.photoId) ?? String(f.photoId), distance: Math.round(f.distance * 1000) / 1000 }));
    for (const s of skipped) say(`skipped ${s.file}: ${s.reason}`, { event: 'skipped', ...s });
    for (const f of flagged) {
      say(`warning: ${f.file} looks like another person (descriptor distance ${f.distance} from the others' median, threshold ${check.threshold})`, { event: 'identity-warning', ...f, threshold: check.threshold });
    }
    if (check.faces.length === 0) throw new CliError('no-face', 'none of the photos has a usable face', EXIT.failed);
    const usedIds = check.faces.map((f) => f.photoId);
    const resumeFrom = values.resume === true ? await core.training.findResumable(baseId, usedIds) : null;
    if (values.resume === true && resumeFrom === null) say('nothing to resume for this base and these photos: starting a new run', { event: 'resume', from: null });
    const started = await core.training.startFinetune(
      { baseModelId: baseId, photoIds: usedIds, steps, name: typeof values.name === 'string' ? values.name : undefined, identityWeight, descriptorWeight },
      resumeFrom ?? undefined,
    );
    const runId = started.runId;
    say(
      `fine-tuning ${baseModel.name} (model ${baseId}) on ${usedIds.length} face(s), ${steps} steps: run ${runId}${resumeFrom !== null ? `, resuming run ${resumeFrom}` : ''}`,
      { event: 'start', runId, baseModelId: baseId, faces: usedIds.length, steps, resumedFrom: resumeFrom },
    );
    const print = progressPrinter(global.json, err);
    const unsubscribe = core.events.subscribe((channel, e) => {
      if (channel !== 'training:progress') return;
      const p = e as { runId: string; step: number; steps: number; stepsPerSec: number; etaSec: number | null; losses: Record<string, number> };
      if (p.runId === String(runId)) print({ phase: 'training', step: p.step, totalSteps: p.steps, stepsPerSecond: p.stepsPerSec, etaSeconds: p.etaSec, losses: p.losses });
    });
    let stoppedBy: string | null = null;
    const offSignals = onInterrupt((signal) => {
      stoppedBy = signal;
      say(`${signal}: stopping after this step with a checkpoint (continue with --resume)`, { event: 'signal', signal });
      // Not kept as a version: the run is continued with --resume.
      void core.training.cancel(runId, false);
    });
    off = () => {
      unsubscribe();
      offSignals();
    };
    await core.training.settled(runId);
    const run = lib.getRun(runId);
    if (run.status !== 'completed' || run.outputModelId === null) {
      if (run.status === 'cancelled') throw new CliError('cancelled', `fine-tune run ${runId} stopped${stoppedBy ? ` by ${stoppedBy}` : ''} at step ${run.step}; continue with --resume`, EXIT.failed);
      throw new CliError('internal', `fine-tune run ${runId} ${run.status}: ${run.error ?? 'no model was produced'}`, EXIT.failed);
    }
    const model = lib.getModel(run.outputModelId);
    if (outDir) {
      await fs.mkdir(outDir, { recursive: true });
      const from = lib.modelWeightsPath(model.id);
      for (const name of await fs.readdir(from)) await fs.cp(join(from, name), join(outDir, name), { recursive: true });
      const lineage = { modelId: model.id, name: model.name, parentId: model.parentId, base: { id: baseId, name: baseModel.name }, runId, library: libraryDir, photos: usedIds.length };
      await fs.writeFile(join(outDir, 'lineage.json'), JSON.stringify(lineage, null, 1));
    }
    const metrics = model.metrics as { stepsPerSec?: number; trainSeconds?: number };
    const json = {
      runId,
      model: { id: model.id, name: model.name, parentId: model.parentId, lineage: model.lineage },
      base: { id: baseId, name: baseModel.name },
      out: outDir ?? 'library',
      library: libraryDir,
      steps: run.step,
      stepsPerSecond: metrics.stepsPerSec ?? null,
      trainSeconds: metrics.trainSeconds ?? null,
      resumedFrom: resumeFrom,
      photos: { found: imported.ids.length + imported.unreadable.length, used: usedIds.length, skipped, flagged },
    };
    const text = [
      `fine-tuned "${model.name}" (model ${model.id}, parent ${baseModel.name} = model ${baseId}) in ${run.step} steps${metrics.trainSeconds ? `, ${Math.round(metrics.trainSeconds)} s of training` : ''}`,
      `photos: ${usedIds.length} used, ${skipped.length} skipped, ${flagged.length} flagged as another person`,
      outDir ? `model folder: ${outDir} (face-age age <photo> --model ${outDir} --target 70)` : `registered in the library ${libraryDir}`,
    ];
    return { json, text };
  } finally {
    off();
    await core.close();
    await fs.rm(configDir, { recursive: true, force: true });
  }
}
