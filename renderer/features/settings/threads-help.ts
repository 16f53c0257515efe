/**
 * The Threads setting's help: what "auto" means since issue 5. The engine starts wasm with 1
 * thread (a thread pool meets at a barrier in every kernel, so on a busy 2-core machine 2 threads
 * ran several times slower than 1); more threads are opt-in, and with them the engine's thread
 * governor drops to 1 thread while the machine is overloaded and returns when it is calm.
 */
import type { EngineStatus } from '../../../preload/contract';

export function threadsHelp(status: Pick<EngineStatus, 'threads' | 'threadSwitches'> | null): string {
  const parts = [
    '"auto" runs 1 thread, the safe choice on a busy machine.',
    'More threads are faster on an idle machine; with them the engine drops to 1 thread while the machine is overloaded and returns when it is calm.',
    'Changing it restarts the engine.',
  ];
  if (status?.threads) {
    const switched = status.threadSwitches > 0 ? `, switched ${status.threadSwitches} time${status.threadSwitches === 1 ? '' : 's'} under load` : '';
    parts.push(`Now ${status.threads} thread${status.threads === 1 ? '' : 's'}${switched}.`);
  }
  return parts.join(' ');
}
