/**
 * Child of cli-threads.test.ts: the CLI entry as dist/cli.cjs runs it (bundled, main.ts runs
 * itself on process.argv and only sets process.exitCode). When the process ends by itself, one
 * JSON line tells the exit code and the wasm pool's thread count (pipes write synchronously).
 */
import '../../main/cli/main';
import { wasmThreads } from '../../models/backend/thread-governor';

process.on('exit', (code) => {
  process.stdout.write(`${JSON.stringify({ code, threads: wasmThreads() })}\n`);
});
