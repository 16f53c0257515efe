/**
 * `face-age` command-line tool (bundled to dist/cli.cjs; bin/face-age.cjs runs it).
 * Exit codes: 0 success, 1 failure, 2 not available yet, 64 usage error.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { APP_VERSION } from '../core/app-info';
import { COMMANDS } from './commands';
import { CliError, EXIT, type Command, type GlobalOptions } from './command';

const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
const GLOBAL_OPTIONS = {
  library: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

/** --threads N (wasm threads of this process); absent: null, initBackend's default (FACE_AGE_THREADS, else the physical cores up to 8). */
export function parseThreads(raw: unknown): number | null {
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CliError('invalid-payload', '--threads must be an integer from 1 to 64', EXIT.usage);
  return n;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'face-age: the Face Aging Studio on the command line',
    '',
    'Usage: face-age <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --library DIR   use the studio library in DIR',
    `  --backend NAME  tfjs backend: ${BACKENDS.join(', ')} (default auto)`,
    '  --threads N     wasm threads (default FACE_AGE_THREADS, else the physical cores up to 8, on 1 while the machine is busy)',
    '  --json          print one JSON document instead of text',
    '  -h, --help      show help (also after a command)',
    '  --version       print the version',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`face-age ${c.name}: ${c.summary}`, '', `Usage: ${c.usage}`, '', 'Global options: --library DIR, --backend NAME, --threads N, --json'].join('\n');
}

export async function runCli(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const name = argv.find((a) => !a.startsWith('-'));
  const command = COMMANDS.find((c) => c.name === name);
  const wantsJson = argv.includes('--json');
  const report = (code: string, message: string, exitCode: number) => {
    if (wantsJson) out(JSON.stringify({ ok: false, error: { code, message } }));
    else err(message);
    return exitCode;
  };

  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...(command?.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return report('invalid-payload', `${e instanceof Error ? e.message : String(e)}\n\n${command ? commandHelp(command) : mainHelp()}`, EXIT.usage);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    out(wantsJson ? JSON.stringify({ ok: true, value: { version: APP_VERSION } }) : APP_VERSION);
    return EXIT.ok;
  }
  if (!command) {
    if (values.help || !name) {
      out(mainHelp());
      return values.help ? EXIT.ok : EXIT.usage;
    }
    return report('invalid-payload', `face-age: unknown command "${name}"\n\n${mainHelp()}`, EXIT.usage);
  }
  if (values.help) {
    out(commandHelp(command));
    return EXIT.ok;
  }
  const backend = (values.backend ?? 'auto') as GlobalOptions['backend'];
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    return report('invalid-payload', `--backend must be one of ${BACKENDS.join(', ')}`, EXIT.usage);
  }
  let threads: number | null;
  try {
    threads = parseThreads(values.threads);
  } catch (e) {
    return report('invalid-payload', e instanceof Error ? e.message : String(e), EXIT.usage);
  }
  const global: GlobalOptions = {
    library: values.library as string | undefined,
    backend,
    threads,
    json: wantsJson,
    enginePath: join(__dirname, 'engine.cjs'),
  };
  try {
    const result = await command.run({ values, positionals: positionals.slice(1), global });
    out(wantsJson ? JSON.stringify({ ok: true, value: result.json }) : result.text.join('\n'));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CliError) return report(e.code, e.message, e.exitCode);
    return report('internal', `face-age ${command.name}: ${e instanceof Error ? e.message : String(e)}`, EXIT.failed);
  }
}

// Run when executed directly (node dist/cli.cjs); bin/face-age.cjs and tests call runCli themselves.
if (typeof require !== 'undefined' && require.main === module) {
  void runCli(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then((code) => {
    process.exitCode = code;
  });
}
