/**
 * Child process of training-resume.test.ts: a real studio core (library, engine process, training
 * child) that starts a fine-tune and reports its progress until the test SIGKILLs it, as a crash
 * of the studio's main process would end it. Prints JSON lines: {runId}, then {step} per progress.
 * argv: dir (holds engine.cjs, config/, library/) trainWorker baseModelId photoIds(comma) steps
 */
import { startTestCore } from './core-fixtures';

const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify(o) + '\n');

async function main(): Promise<void> {
  const [dir, workerPath, baseModelId, photoIds, steps] = process.argv.slice(2);
  const core = startTestCore(dir, { training: { workerPath, backend: 'wasm', threads: 1 } });
  core.events.subscribe((ev, e) => ev === 'training:progress' && say({ step: (e as { step: number }).step }));
  const r = await core.dispatch('finetune:start', { baseModelId, photoIds: photoIds.split(','), steps: Number(steps), name: 'main killed' }, { host: 'test' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  say({ runId: (r.value as { runId: string }).runId });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
