/**
 * Runs a bundled `face-age` CLI (cli.cjs) as a separate process, as the cli-train and
 * cli-finetune suites do: collects stdout/stderr, kills it after `timeoutMs`, and reads the
 * `--json` result document (the last stdout line).
 */
import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** node cliFile ...args; `onErr` sees stderr as it arrives (and may signal the child). */
export function runCli(
  cliFile: string,
  args: string[],
  timeoutMs: number,
  onErr?: (chunk: string, child: ReturnType<typeof spawn>) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      onErr?.(d.toString(), child);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** The value of the JSON document on the last stdout line; throws with stderr's tail if not ok. */
export function cliResult<T>(r: CliRun): T {
  const doc = JSON.parse(r.out.trim().split('\n').at(-1) ?? '') as { ok: boolean; value: T; error?: unknown };
  if (!doc.ok) throw new Error(`CLI failed: ${JSON.stringify(doc.error)}\n${r.err.slice(-2000)}`);
  return doc.value;
}

/** Runs `face-age ...args` in this process through runCli (the bundled bin's entry). */
export async function cliInProcess(...args: string[]): Promise<CliRun> {
  const { runCli: run } = await import('../../main/cli/main');
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}
