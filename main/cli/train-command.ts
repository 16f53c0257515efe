/**
 * `face-age train`: models/training/train-command.ts in this process (the CLI is its own engine, as
 * for `face-age eval`). Progress lines with steps/s and ETA on stderr; Ctrl-C stops after the
 * current step with a checkpoint, and `--resume` continues from it.
 */
import { dirname, join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { initEngineBackend } from '../engine/backend';
import { TRAIN_ARG_OPTIONS, TrainingController, parseTrainOptions, runTrainCommand } from '../engine/ops/train';
import { CliError, EXIT, type CommandOutput, type GlobalOptions } from './command';
import { onInterrupt, progressPrinter } from './progress-lines';

/** TRAIN_ARG_OPTIONS; --json and --threads are global options of the CLI. */
export const TRAIN_CLI_OPTIONS: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  Object.entries(TRAIN_ARG_OPTIONS).filter(([k]) => k !== 'json' && k !== 'threads'),
);

export async function runTrainCli(values: Record<string, unknown>, global: GlobalOptions, err: (line: string) => void): Promise<CommandOutput> {
  let opts;
  try {
    // The shipped prototype (the CycleGAN's default teacher) beside the bundle, as `age` finds models.
    opts = parseTrainOptions({ ...values, json: global.json }, { assetsDir: join(dirname(global.enginePath), '..', 'assets') });
  } catch (e) {
    throw new CliError('invalid-payload', `face-age train: ${e instanceof Error ? e.message : String(e)}`, EXIT.usage);
  }
  const backend = await initEngineBackend(global.backend, global.threads);
  const what = opts.recipe ? `${opts.kind} (recipe ${opts.recipe}, teacher ${opts.teacher})` : opts.kind;
  err(
    global.json
      ? JSON.stringify({ event: 'start', kind: opts.kind, recipe: opts.recipe, teacher: opts.teacher, run: opts.run, backend })
      : `${what} -> ${opts.run} on ${backend.backend} (${backend.threads ?? 'auto'} threads)${opts.resume ? ', resuming (its saved config)' : ''}`,
  );
  const control = new TrainingController();
  let stoppedBy: string | null = null;
  const off = onInterrupt((signal) => {
    stoppedBy = signal;
    err(`${signal}: stopping after this step with a checkpoint (continue with --resume)`);
    control.cancel(signal);
  });
  try {
    const r = await runTrainCommand(opts, { control, onProgress: progressPrinter(global.json, err), hardware: backend.device, backend: `${backend.backend}, ${backend.threads ?? 'auto'} threads` });
    const json = {
      kind: r.kind,
      run: r.run,
      step: r.step,
      totalSteps: r.totalSteps,
      completed: r.completed,
      cancelled: r.cancelled,
      resumedFrom: r.resumedFrom,
      stepsPerSecond: r.stepsPerSecond,
      trainSeconds: r.trainSeconds,
      losses: r.losses,
      trainFaces: r.trainFaces,
      valFaces: r.valFaces,
      exported: r.exported ?? null,
      validation: r.validation ?? null,
      stoppedBy,
    };
    const text = [
      `${r.kind}: step ${r.step}/${r.totalSteps} ${r.completed ? 'completed' : stoppedBy ? `stopped by ${stoppedBy} (continue with --resume)` : 'stopped'}, ${r.stepsPerSecond.toFixed(2)} steps/s, ${r.trainFaces} training faces`,
      ...(r.exported ? [`exported to ${r.exported}`] : []),
      `checkpoints in ${r.run}`,
    ];
    return { json, text };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // An existing run without --resume, a missing dataset: the user's to fix, not a crash.
    if (/resume|exists|no such file|ENOENT|labels\.csv/i.test(message)) throw new CliError('invalid-payload', `face-age train: ${message}`, EXIT.failed);
    throw e;
  } finally {
    off();
  }
}
