/**
 * The `face-age` commands as data: name, summary, usage, options and a run function. A command a
 * later issue fills in answers "not available yet" with exit code 2, never fake output.
 */
import type { ParseArgsConfig } from 'node:util';
import { dirname, join } from 'node:path';
import { EVAL_ARG_OPTIONS, runEvalCommand } from '../engine/ops/eval';
import { runFoundationBench } from './foundation-bench';
import { runAge, runDetect } from './image-commands';
import { FINETUNE_CLI_OPTIONS, runFinetuneCli } from './finetune-command';
import { TRAIN_CLI_OPTIONS, runTrainCli } from './train-command';

export interface GlobalOptions {
  library: string | undefined;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** --threads N (wasm threads of this process); null: initBackend's default (FACE_AGE_THREADS, else the physical cores up to 8). */
  threads: number | null;
  json: boolean;
  enginePath: string;
}

export interface CommandOutput {
  /** Human-readable lines (printed without --json). */
  text: string[];
  /** Machine-readable result (printed with --json). */
  json: unknown;
}

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, failed: 1, notAvailable: 2, usage: 64 } as const;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, unknown>; positionals: string[]; global: GlobalOptions }): Promise<CommandOutput>;
}

/** Progress of long commands goes to stderr; stdout carries only the result. */
function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

export const COMMANDS: Command[] = [
  {
    name: 'detect',
    summary: 'Detect faces, landmarks and estimated ages in images',
    usage: 'face-age detect <image...> [--json]',
    options: {},
    run: ({ positionals, global }) => runDetect(positionals, global),
  },
  {
    name: 'age',
    summary: 'Age or rejuvenate the faces in an image',
    usage: 'face-age age <image> --target <age> [--model <folder|shipped name>] [--face N] [--out <file.png|jpg|webp>] [--quality 1-100] [--json]',
    options: {
      target: { type: 'string' },
      to: { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string' },
      face: { type: 'string' },
      quality: { type: 'string' },
    },
    run: ({ values, positionals, global }) =>
      runAge(
        { image: positionals[0], target: values.target ?? values.to, model: values.model, out: values.out, quality: values.quality, face: values.face },
        global,
        join(dirname(global.enginePath), '..', 'assets'),
      ),
  },
  {
    name: 'train',
    summary: 'Train an Age-cGAN, CycleGAN or age classifier on a folder of labelled faces',
    usage:
      'face-age train --kind <age-cgan|cyclegan|age-classifier> --data <dir|packed dir> --run <dir> [--steps N] [--resolution 64|96|128] [--batch N] [--resume] [--export <dir>] [--classifier <dir>] [--config <json|file>] [--teacher <dir|none>] [--teacher-options <json>] [--max-minutes N] [--threads N] [--json]\n\n' +
      '--kind cyclegan without --config trains the distil-prototype recipe (models/cyclegan/recipes/distil-prototype.json:\n' +
      'teacher 50, Charbonnier cycle/identity, five coarse age domains; 64 px, batch 2, 3000 steps unless given),\n' +
      'distilling the shipped prototype (assets/models/prototype, strength 3.5/2.6) unless --teacher is given.\n' +
      '--config: merged over the plain default config instead (a teacher only if it sets loss.teacher or generator.prior).\n' +
      '--teacher none: the plain default config without a teacher (128 px, 20000 steps; it does not learn to age).\n' +
      "--resume continues with the run's saved config.",
    options: TRAIN_CLI_OPTIONS,
    run: ({ values, global }) => runTrainCli(values, global, stderrLine),
  },
  {
    name: 'finetune',
    summary: "Fine-tune a CycleGAN model on one person's photos (a new version; the base is kept)",
    usage:
      'face-age finetune --base <model id|name|folder> --photos <dir> --out <dir|library> [--steps N] [--name NAME] [--resume] [--identity-weight W] [--descriptor-weight W] [--threads N] [--json]',
    options: FINETUNE_CLI_OPTIONS,
    run: ({ values, global }) => runFinetuneCli(values, global, stderrLine),
  },
  {
    name: 'eval',
    summary: 'Evaluate a model: age accuracy and identity preservation',
    usage:
      'face-age eval --model <no-change|prototype|folder> --data <dir|packed:DIR:val> [--targets 10,30,50,70] [--limit N] [--resolution N] [--out report.json] [--json]',
    options: EVAL_ARG_OPTIONS,
    run: ({ values, global }) =>
      runEvalCommand({ values, backend: global.backend, threads: global.threads ?? undefined, log: (line) => process.stderr.write(`${line}\n`) }).catch((e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        if (/is required|must be/.test(message)) throw new CliError('invalid-payload', `face-age eval: ${message}`, EXIT.usage);
        throw e;
      }),
  },
  {
    name: 'bench',
    summary: 'Measure the engine: start-up, request round trips, inference and a training step',
    usage: 'face-age bench [--pings N] [--runs N] [--json]   (--runs 0 skips the model benchmark)',
    options: { pings: { type: 'string' }, runs: { type: 'string' } },
    async run({ values, global }) {
      const count = (name: string, raw: unknown, fallback: number, min: number) => {
        const n = raw === undefined ? fallback : Number(raw);
        if (!Number.isInteger(n) || n < min || n > 100_000) {
          throw new CliError('invalid-payload', `--${name} must be an integer from ${min} to 100000`, EXIT.usage);
        }
        return n;
      };
      const pings = count('pings', values.pings, 200, 1);
      const engineRuns = count('runs', values.runs, 5, 0);
      const r = await runFoundationBench({ enginePath: global.enginePath, backend: global.backend, pings, engineRuns });
      const text = [
        `backend ${r.backend} (${r.device}), threads ${r.threads ?? 'auto'}`,
        `engine start to ready: ${r.engineStartMs.toFixed(0)} ms`,
        `ping round trip over ${r.pings} requests: p50 ${r.pingP50Ms.toFixed(2)} ms, p95 ${r.pingP95Ms.toFixed(2)} ms`,
      ];
      if (r.engine) {
        text.push(
          `generator inference ${r.engine.workload.size}px: median ${r.engine.inference.medianMs} ms`,
          `GAN training step: median ${r.engine.trainStep.medianMs} ms, leaked tensors/step ${r.engine.leakedTensorsPerStep}`,
        );
      }
      return { json: r, text };
    },
  },
];
