/** Starts the engine as an Electron utilityProcess (a Node process Electron manages). */
import { utilityProcess } from 'electron';
import type { EngineLauncher } from '../engine/launcher';

export function utilityLauncher(enginePath: string): EngineLauncher {
  return {
    launch(events) {
      const child = utilityProcess.fork(enginePath, [], { serviceName: 'Face Aging Studio engine', stdio: 'pipe' });
      let exited = false;
      child.on('message', (m: unknown) => events.onMessage(m));
      child.stdout?.on('data', (d: Buffer) => events.onOutput?.('stdout', d.toString()));
      child.stderr?.on('data', (d: Buffer) => events.onOutput?.('stderr', d.toString()));
      child.on('exit', (code) => {
        if (exited) return;
        exited = true;
        events.onExit(`exited with code ${code}`);
      });
      return {
        get pid() {
          return child.pid ?? null;
        },
        send: (message) => child.postMessage(message),
        kill: () => {
          child.kill();
        },
      };
    },
  };
}
