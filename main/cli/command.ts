/**
 * What every `face-age` command shares: the global options, the output, the error with its exit
 * code, and the shape of a command (commands.ts lists them; each command file implements one).
 */
import type { ParseArgsConfig } from 'node:util';

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
