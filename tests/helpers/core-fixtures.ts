/**
 * Test helpers for suites that drive the real studio core: a core on a fresh library with a real
 * engine process, and a tiny real CycleGAN-style model exported the way the app ships models.
 */
import { join } from 'node:path';
import { createStudioCore, type StudioCore, type StudioCoreOptions } from '../../main/core/core';
import { forkLauncher } from '../../main/engine/launcher';
import { createCycleGanTrainer, exportCycleGanModel } from '../../models/recipes/cyclegan/export';
import { loadFaces, tinyConfig, useCpu } from './cyclegan-fixtures';

/** A started core whose config and library live in `dir`, with the engine bundled at dir/engine.cjs. */
export function startTestCore(dir: string, extra: Partial<StudioCoreOptions> = {}): StudioCore {
  const core = createStudioCore({
    host: 'test',
    configDir: join(dir, 'config'),
    defaultLibraryDir: join(dir, 'library'),
    engineLauncher: forkLauncher(join(dir, 'engine.cjs')),
    versions: { app: 'test', electron: null, chrome: null },
    ...extra,
  });
  core.start();
  return core;
}

/**
 * Trains a tiny model `steps` steps on the fixture faces and exports it to `outDir`. Its generator
 * predicts the image directly (not a masked residual that starts as the identity), so every
 * target age changes the face.
 */
export async function exportTinyAgingModel(outDir: string, resolution: number, steps: number): Promise<string> {
  await useCpu();
  const faces = await loadFaces(resolution, 2);
  const config = tinyConfig(resolution);
  const trainer = createCycleGanTrainer({ ...config, generator: { ...config.generator, output: 'direct' } });
  for (let i = 0; i < steps; i++) await trainer.trainStep({ images: faces.images, ages: faces.ages }, false);
  await exportCycleGanModel(trainer, outDir);
  trainer.dispose();
  faces.images.dispose();
  return outDir;
}
