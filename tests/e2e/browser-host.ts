/**
 * Starts the built browser host (dist/web-host.cjs) with test hooks and a fresh temp library,
 * and resolves to the URL it printed (with its launch token). Shared by the e2e specs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LaunchedHost {
  url: string;
  origin: string;
  proc: ChildProcess;
  /** Temp folder holding library/ and config/ for this launch. */
  dir: string;
  stop(): Promise<void>;
}

export async function launchBrowserHost(prefix = 'e2e'): Promise<LaunchedHost> {
  mkdirSync(resolve('.tmp'), { recursive: true });
  const dir = mkdtempSync(resolve('.tmp', `${prefix}-`));
  const proc = spawn(
    process.execPath,
    ['dist/web-host.cjs', '--test-hooks', '--library', join(dir, 'library'), '--config', join(dir, 'config')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`web host printed no URL:\n${out}\n${stderr}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        done(m[1]);
      }
    });
    proc.on('exit', (code) => fail(new Error(`web host exited (${code}):\n${stderr}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    proc,
    dir,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
