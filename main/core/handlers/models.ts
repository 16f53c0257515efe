/** models:* handlers and the read-only training:* handlers (list, get, sample grids) over the library. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CoreContext } from '../context';
import { modelDto, runDto } from '../dto';
import { lastRunLosses } from '../../engine/training/training-runs';
import { toLibraryId, viaLibrary } from '../errors';
import { StudioFailure, defineHandlers } from '../router';

const CARD_FILES = ['MODEL_CARD.md', 'model-card.md', 'README.md'];

async function readCard(dir: string): Promise<string | null> {
  for (const name of CARD_FILES) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (text !== null) return text;
  }
  return null;
}

export function modelHandlers(ctx: CoreContext) {
  const lib = () => ctx.library();
  return defineHandlers({
    'models:list': async () => ({ models: (await lib()).listModels().map(modelDto) }),

    'models:get': async ({ modelId }) => {
      const l = await lib();
      const id = toLibraryId(modelId, 'model');
      const m = await viaLibrary(() => l.getModel(id));
      const run = l.listRuns().find((r) => r.outputModelId === id) ?? null;
      return {
        ...modelDto(m),
        card: await readCard(l.modelWeightsPath(id)),
        config: m.config,
        trainingRunId: run ? String(run.id) : null,
      };
    },

    'models:delete': async ({ modelId }) => {
      const l = await lib();
      const id = toLibraryId(modelId, 'model');
      const m = await viaLibrary(() => l.getModel(id));
      if (m.isBase) throw new StudioFailure('forbidden', `"${m.name}" is a shipped base model and cannot be deleted`);
      await viaLibrary(() => l.deleteModel(id));
      ctx.events.emit('library:changed', { kind: 'models', ids: [modelId] });
      return { deleted: true };
    },

    'training:list': async () => {
      const l = await lib();
      // Each run's last logged losses, so a reopened dashboard shows finished runs' metrics.
      return { runs: l.listRuns().map((r) => runDto(r, lastRunLosses(l, r.id))) };
    },

    'training:get': async ({ runId }) => {
      const l = await lib();
      const id = toLibraryId(runId, 'run');
      const run = await viaLibrary(() => l.getRun(id));
      const series = l.getRunMetrics(id, { maxPoints: 500 });
      // Pivot per-metric series into one point per logged step.
      const byStep = new Map<number, Record<string, number>>();
      for (const s of series) {
        s.steps.forEach((step, i) => {
          const point = byStep.get(step) ?? {};
          point[s.name] = s.values[i] ?? Number.NaN;
          byStep.set(step, point);
        });
      }
      const history = [...byStep.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([step, losses]) => {
          const { stepsPerSec = 0, ...rest } = losses;
          return { step, losses: rest, stepsPerSec };
        });
      const last = history.at(-1)?.losses ?? {};
      return {
        ...runDto(run, last),
        history,
        sampleSteps: l.listRunSamples(id).map((s) => s.step),
        config: run.config,
      };
    },

    'training:sampleGrid': async ({ runId, step }) => {
      const l = await lib();
      const id = toLibraryId(runId, 'run');
      const samples = await viaLibrary(() => l.listRunSamples(id));
      const sample = step === undefined ? samples.at(-1) : samples.find((s) => s.step === step);
      if (!sample) throw new StudioFailure('not-found', `run ${runId} has no sample grid${step === undefined ? '' : ` at step ${step}`}`);
      const bytes = await viaLibrary(() => l.readRunSample(sample.id));
      const { data, info } = await sharp(bytes).png().toBuffer({ resolveWithObject: true });
      return { runId, step: sample.step, image: { mime: 'image/png' as const, width: info.width, height: info.height, bytes: new Uint8Array(data) } };
    },
  });
}
