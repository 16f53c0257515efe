/**
 * The `face-age` commands as data: name, summary, usage, options and a run function. Commands a
 * later issue fills in answer "not available yet" with exit code 2, never fake output.
 */
import type { ParseArgsConfig } from 'node:util';
import { dirname, join } from 'node:path';
import { EVAL_ARG_OPTIONS, runEvalCommand } from '../engine/ops/eval';
import { runFoundationBench } from './foundation-bench';
import { CLI_THREADS, runAge, runDetect } from './image-commands';

export interface GlobalOptions {
  library: string | undefined;
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
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

function notYet(name: string, what: string): Command['run'] {
  return async () => {
    throw new CliError('not-available-yet', `face-age ${name}: ${what} is not available yet in this version.`, EXIT.notAvailable);
  };
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
    summary: 'Train an Age-cGAN or CycleGAN model on a folder of labelled faces',
    usage: 'face-age train --kind <age-cgan|cyclegan> --data <dir> [--steps N] [--resolution N] [--json]',
    options: {
      kind: { type: 'string' },
      data: { type: 'string' },
      steps: { type: 'string' },
      resolution: { type: 'string' },
    },
    run: notYet('train', 'training'),
  },
  {
    name: 'finetune',
    summary: 'Fine-tune a model on one person\'s photos',
    usage: 'face-age finetune --base <model-id> <image...> [--steps N] [--json]',
    options: { base: { type: 'string' }, steps: { type: 'string' } },
    run: notYet('finetune', 'fine-tuning'),
  },
  {
    name: 'eval',
    summary: 'Evaluate a model: age accuracy and identity preservation',
    usage:
      'face-age eval --model <no-change|prototype|folder> --data <dir|packed:DIR:val> [--targets 10,30,50,70] [--limit N] [--resolution N] [--out report.json] [--json]',
    options: EVAL_ARG_OPTIONS,
    run: ({ values, global }) =>
      runEvalCommand({ values, backend: global.backend, threads: CLI_THREADS, log: (line) => process.stderr.write(`${line}\n`) }).catch((e: unknown) => {
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
