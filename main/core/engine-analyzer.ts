/**
 * The library's photo Analyzer, backed by the engine's face pipeline ('analyze' op): tensor work
 * stays in the engine process. Photo problems keep the pipeline's code (e.g. 'not-an-image'), which
 * the library knows; engine failures surface as the library's 'io' with the engine's message.
 */
import type { Analyzer, AnalyzeResult } from '../library/types';
import type { EngineSupervisor } from '../engine/supervisor';

export function engineAnalyzer(supervisor: EngineSupervisor): Analyzer {
  return async (bytes: Buffer): Promise<AnalyzeResult> => {
    const r = await supervisor.request('analyze', { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    if (r.ok) return r.value;
    const photoCode = (r.error.details as { photoCode?: unknown } | undefined)?.photoCode;
    throw Object.assign(new Error(r.error.message), { code: typeof photoCode === 'string' ? photoCode : undefined });
  };
}
