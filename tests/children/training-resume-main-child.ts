/**
 * Child process of training-resume.test.ts: a real studio core (library, engine process, training
 * child) that starts a fine-tune and reports its progress until the test SIGKILLs it, as a crash
 * of the studio's main process would end it. Prints JSON lines: {runId}, then {step} per progress.
 * With `pause`, it pauses the run once a checkpoint exists past the first step-count one, and
 * prints {paused}.
 * argv: dir (holds engine.cjs, config/, library/) trainWorker baseModelId photoIds(comma) steps [pause]
 */
import { join } from 'node:path';
import { latestCheckpoint } from '../../models/core/checkpoint';
import { FINETUNE_CHECKPOINT } from '../../models/training/finetune-spec';
import { startTestCore } from '../helpers/core-fixtures';

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');

async function main(): Promise<void> {
  const [dir, workerPath, baseModelId, photoIds, steps, mode] = process.argv.slice(2);
  const core = startTestCore(dir, { training: { workerPath, backend: 'wasm', threads: 1 } });
  let runId = '';
  let pausing = false;
  core.events.subscribe((ev, e) => {
    if (ev !== 'training:progress') return;
    const step = (e as { step: number }).step;
    say({ step });
    if (mode !== 'pause' || pausing || step <= FINETUNE_CHECKPOINT.steps) return;
    void latestCheckpoint(join(dir, 'library', 'training', `run-${runId}`, 'work')).then(async (c) => {
      if (!c || pausing) return;
      pausing = true;
      const r = await core.dispatch('training:pause', { runId }, { host: 'test' });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      // The library row is set paused just after the answer.
      while ((await core.context.library()).getRun(Number(runId)).status !== 'paused') await new Promise((res) => setTimeout(res, 20));
      say({ paused: true });
    });
  });
  const r = await core.dispatch('finetune:start', { baseModelId, photoIds: photoIds.split(','), steps: Number(steps), name: 'main killed' }, { host: 'test' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  runId = (r.value as { runId: string }).runId;
  say({ runId });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
