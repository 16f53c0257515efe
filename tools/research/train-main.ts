/**
 * Process entry for long training runs (built by `node scripts/build.mjs --only=tools`; scripts/pretrain.sh runs it):
 *   node train-main.cjs --kind cyclegan --data DIR --run DIR [--resume] [--backend wasm] [--threads 2] ...
 * SIGINT / SIGTERM stop after the current step with a checkpoint; SIGKILL loses at most the
 * steps since the last checkpoint (every --checkpoint-minutes, default 5).
 */
import { parseArgs } from 'node:util';
import { initBackend, parseBackendName } from '../../models/backend/select';
import { TRAIN_ARG_OPTIONS, parseTrainOptions, runTrainCommand } from '../../models/training/train-command';
import { TrainingController } from '../../models/training/training-control';
import type { TrainingProgress } from '../../models/training/run-training';

function formatEta(s: number | null): string {
  if (s === null) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { ...TRAIN_ARG_OPTIONS, backend: { type: 'string' }, threads: { type: 'string' } },
    strict: true,
  });
  const opts = parseTrainOptions(values);
  const info = await initBackend({
    backend: parseBackendName(values.backend as string | undefined),
    threads: values.threads ? Number(values.threads) : undefined,
  });
  const started = new Date().toISOString();
  const say = (obj: Record<string, unknown>, text: string) =>
    process.stdout.write((opts.json ? JSON.stringify(obj) : `${new Date().toISOString()} ${text}`) + '\n');
  say({ event: 'start', options: opts, backend: info, started }, `${opts.kind} -> ${opts.run} on ${info.name} (${info.threads} threads, ${info.device})`);
  const control = new TrainingController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      say({ event: 'signal', signal: sig }, `${sig}: stopping after this step and checkpointing`);
      control.cancel(sig);
    });
  }
  let lastLogged = -1;
  const onProgress = (p: TrainingProgress) => {
    if (p.phase === 'training' && p.step === lastLogged) return;
    if (p.phase === 'training') lastLogged = p.step;
    const losses = Object.entries(p.losses).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
    say(
      { event: 'progress', ...p },
      `${p.phase} step ${p.step}/${p.totalSteps} ${p.stepsPerSecond.toFixed(3)} steps/s ETA ${formatEta(p.etaSeconds)} ${losses}`,
    );
  };
  const result = await runTrainCommand(opts, { control, onProgress, hardware: info.device, backend: `${info.name}${info.simd ? ' SIMD' : ''}, ${info.threads} threads` });
  say({ event: 'done', ...result }, `done: step ${result.step}/${result.totalSteps} completed=${result.completed} ${result.stepsPerSecond.toFixed(3)} steps/s this session${result.validation ? ` val acc ${result.validation.accuracy.toFixed(3)} MAE ${result.validation.mae.toFixed(2)}` : ''}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`train failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
