/** Turns a training checkpoint into a compact inference model (G + E, float16) for assets/. */
import type { StoredDtype } from '../../nn/params';
import { loadInferenceNets, writeModelExport } from './checkpoint';

export async function exportAgeCganModel(
  checkpointDir: string,
  outDir: string,
  opts: { dtype?: StoredDtype; metrics?: Record<string, number> } = {},
): Promise<void> {
  const { meta, config, G, E } = await loadInferenceNets(checkpointDir);
  try {
    await writeModelExport(
      outDir,
      config,
      meta.step,
      { G: G.params, E: E.params },
      {
        createdAt: meta.createdAt,
        losses: meta.losses,
        metrics: { ...meta.metrics, ...(opts.metrics ?? {}) },
        totalSteps: meta.totalSteps,
        completed: meta.completed,
      },
      opts.dtype ?? 'float16',
    );
  } finally {
    G.dispose();
    E.dispose();
  }
}
