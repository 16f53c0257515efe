/**
 * training:start without batchSize/sampleEvery (what the start-run dialog sends) gets the
 * fine-tune's own schedule: batch 1 and a sample grid every fifth of the run (a 100-step run used
 * to get the schema's 200, so no grid until the end, and batch 8). A cancelled run's state event
 * carries the losses it logged last (real SQLite library).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../../../../main/library/library';
import { finetuneSchedule, lastRunLosses } from '../../../../../main/engine/training/training-runs';
import { requestChannels } from '../../../../../preload/contract';
import { FINETUNE_DEFAULTS } from '../../../../../models/recipes/cyclegan/finetune';

const parse = (steps: number, extra: object = {}) =>
  requestChannels['training:start'].request.parse({ kind: 'cyclegan', baseModelId: 'm1', selection: { by: 'tag', tag: 'me' }, steps, ...extra });

describe('training:start defaults', () => {
  it('leaves batchSize and sampleEvery to the run: batch as FINETUNE_DEFAULTS, a grid every fifth of the steps', () => {
    for (const [steps, every] of [[100, 20], [39, 8], [2, 1], [2000, 400]] as const) {
      const req = parse(steps);
      expect(req.batchSize).toBeUndefined();
      expect(req.sampleEvery).toBeUndefined();
      expect(finetuneSchedule({ steps: req.steps, batch: req.batchSize, sampleEvery: req.sampleEvery })).toEqual({ batch: FINETUNE_DEFAULTS.batch, sampleEvery: every });
    }
  });

  it('keeps values a client does send', () => {
    const req = parse(100, { batchSize: 4, sampleEvery: 7 });
    expect(finetuneSchedule({ steps: req.steps, batch: req.batchSize, sampleEvery: req.sampleEvery })).toEqual({ batch: 4, sampleEvery: 7 });
    expect(requestChannels['training:start'].request.safeParse({ ...req, sampleEvery: 0 }).success).toBe(false);
  });
});

describe('lastRunLosses', () => {
  it('gives the losses of the last logged step of a cancelled run, without stepsPerSec', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'run-losses-'));
    const lib = await Library.open(dir);
    try {
      const run = lib.createRun({ kind: 'cyclegan', config: { fineTune: true }, totalSteps: 13 });
      expect(lastRunLosses(lib, run.id)).toEqual({});
      lib.setRunStatus(run.id, 'running');
      for (let s = 1; s <= 8; s++) lib.recordRunProgress(run.id, s, [{ step: s, values: { G: 1 / s, D: 0.5 + s, stepsPerSec: 2 } }]);
      lib.setRunStatus(run.id, 'cancelled');
      expect(lastRunLosses(lib, run.id)).toEqual({ G: 1 / 8, D: 8.5 });
    } finally {
      lib.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('training:list through the core', () => {
  it("gives a finished run's last losses, so a reopened dashboard shows its metrics", async () => {
    const { startTestCore } = await import('../../../../helpers/core-fixtures');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'run-list-'));
    const lib = await Library.open(path.join(dir, 'library'));
    const run = lib.createRun({ kind: 'cyclegan', config: { fineTune: true }, totalSteps: 4 });
    lib.setRunStatus(run.id, 'running');
    for (let s = 1; s <= 3; s++) lib.recordRunProgress(run.id, s, [{ step: s, values: { G: s, D: 10 - s } }]);
    lib.setRunStatus(run.id, 'cancelled');
    lib.close();
    // No engine is needed to list runs; the launcher path does not exist on purpose.
    const core = startTestCore(dir, {});
    try {
      const r = await core.dispatch('training:list', {}, { host: 'test' as const });
      expect(r.ok).toBe(true);
      const runs = (r as { ok: true; value: { runs: Array<{ state: string; losses?: Record<string, number>; lastLosses?: Record<string, number> }> } }).value.runs;
      expect(runs).toHaveLength(1);
      expect(JSON.stringify(runs[0])).toContain('"G":3');
    } finally {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
