/**
 * How the supervisor starts an engine process. Electron uses utilityProcess
 * (main/electron/utility-launcher.ts); the browser host, the CLI and tests fork a Node process.
 */
import { fork } from 'node:child_process';
import type { MainToEngine } from './protocol';

export interface EngineHandle {
  readonly pid: number | null;
  send(message: MainToEngine): void;
  kill(): void;
}

export interface EngineProcessEvents {
  onMessage(message: unknown): void;
  onExit(description: string): void;
  onOutput?(stream: 'stdout' | 'stderr', text: string): void;
}

export interface EngineLauncher {
  launch(events: EngineProcessEvents): EngineHandle;
}

/** Forks dist/engine.cjs (or any engine entry) as a Node child with structured-clone IPC. */
export function forkLauncher(enginePath: string, env: NodeJS.ProcessEnv = process.env): EngineLauncher {
  return {
    launch(events) {
      const child = fork(enginePath, [], {
        // Structured clone keeps Uint8Array payloads binary.
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Do not inherit --inspect or loader flags from the host process.
        execArgv: [],
        env,
      });
      child.on('message', (m) => events.onMessage(m));
      child.stdout?.on('data', (d: Buffer) => events.onOutput?.('stdout', d.toString()));
      child.stderr?.on('data', (d: Buffer) => events.onOutput?.('stderr', d.toString()));
      let exited = false;
      const exit = (description: string) => {
        if (exited) return;
        exited = true;
        events.onExit(description);
      };
      child.on('exit', (code, signal) => exit(signal ? `killed by ${signal}` : `exited with code ${code}`));
      child.on('error', (err) => exit(`failed: ${err.message}`));
      return {
        get pid() {
          return child.pid ?? null;
        },
        send(message) {
          if (child.connected) child.send(message);
        },
        kill() {
          child.kill('SIGKILL');
        },
      };
    },
  };
}
