/**
 * `npm run bench -- engine` side by side with torch (tools/bench/torch-peer.ts): without the
 * torch peer the tfjs numbers still come out and the torch part says why it was skipped; a python
 * that cannot import torch is never picked.
 */
import { describe, expect, it } from 'vitest';
import { findTorchPython, runEngineVsTorchBench } from '../../../../tools/bench/torch-peer';

describe('engine vs torch bench', () => {
  it('reports tfjs and a clear skip note when the torch peer is missing', async () => {
    const r = await runEngineVsTorchBench({ backend: 'wasm', threads: 1, rounds: 1, runs: 1, warmup: 1, script: '/nonexistent/torch-peer.py' });
    expect(r.torch).toEqual({ skipped: expect.stringContaining('torch-peer.py not found') });
    expect(r.ratio).toBeUndefined();
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0].tfjs.inferenceMs).toBeGreaterThan(0);
    expect(r.rounds[0].tfjs.trainStepMs).toBeGreaterThan(0);
    expect(r.tfjs.backend.name).toBe('wasm');
    expect(r.tfjs.leakedTensorsPerStep).toBe(0);
  }, 120_000);

  it('never picks a python without torch', () => {
    const found = findTorchPython('/nonexistent/python3');
    if ('python' in found) expect(found.python).not.toBe('/nonexistent/python3');
    else expect(found.skipped).toMatch(/no python3 with torch/);
  });
});
