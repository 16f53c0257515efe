/**
 * ThreadGovernor and setWasmThreads on the real threaded wasm backend (own process): the pool is
 * switched between kernels without changing results, a switch that would need a worker that is not
 * pre-loaded is refused, decisions follow the samples (fed here, measured from schedstat in use),
 * and a governor is polled from the kernels (initBackend's default hook: engine-backend.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../models/backend/select';
import { processSchedStat, setWasmThreads, ThreadGovernor, wasmThreads, type GovernorSample } from '../../../../models/backend/thread-governor';

let x: tf.Tensor4D;
let w: tf.Tensor4D;
let reference: Float32Array;

const conv = () => tf.tidy(() => tf.conv2d(x, w, 1, 'same').dataSync() as Float32Array);
const over: GovernorSample = { waitRatio: 0.9, loadPerCore: 3, busy: true };
const calm: GovernorSample = { waitRatio: 0.05, loadPerCore: 0.2, busy: true };
const idle: GovernorSample = { waitRatio: 0.9, loadPerCore: 3, busy: false };

beforeAll(async () => {
  // No automatic governor here: its real samples would race the decisions fed below.
  const info = await initBackend({ backend: 'wasm', threads: 2, adaptiveThreads: false });
  expect(info.threads).toBe(2);
  x = tf.randomNormal([1, 24, 24, 32], 0, 1, 'float32', 1) as tf.Tensor4D;
  w = tf.randomNormal([3, 3, 32, 48], 0, 1, 'float32', 2) as tf.Tensor4D;
  reference = conv();
});
afterAll(() => {
  tf.dispose([x, w]);
  setWasmThreads(2);
});

describe('wasm thread pool at run time', () => {
  it('with adaptiveThreads false initBackend leaves the backend unhooked', () => {
    expect(Object.prototype.hasOwnProperty.call(tf.backend(), 'makeOutput')).toBe(false);
  });

  it('setWasmThreads switches between 2 and 1 threads with identical results, and refuses what it cannot start', () => {
    expect(wasmThreads()).toBe(2);
    expect(setWasmThreads(1)).toBe(1);
    expect(Array.from(conv())).toEqual(Array.from(reference));
    expect(setWasmThreads(2)).toBe(2);
    expect(Array.from(conv())).toEqual(Array.from(reference));
    // 30 threads would need 29 idle pre-loaded workers (the glue pre-loads 8).
    expect(setWasmThreads(30)).toBe(2);
    expect(Array.from(conv())).toEqual(Array.from(reference));
  });

  it('the governor drops to 1 thread when oversubscribed, ignores idle intervals, returns after calm ones a bounded number of times', () => {
    const samples: GovernorSample[] = [];
    const g = new ThreadGovernor({ requested: 2, calmIntervals: 3, maxReturns: 1, sample: () => samples.shift() ?? calm });
    samples.push(idle);
    g.tick();
    expect(wasmThreads()).toBe(2);
    samples.push(over);
    g.tick();
    expect(wasmThreads()).toBe(1);
    samples.push(calm, calm);
    g.tick();
    g.tick();
    expect(wasmThreads()).toBe(1);
    g.tick(); // third calm interval in a row
    expect(wasmThreads()).toBe(2);
    expect(Array.from(conv())).toEqual(Array.from(reference));
    samples.push(over);
    g.tick();
    expect(wasmThreads()).toBe(1);
    for (let i = 0; i < 5; i++) g.tick(); // calm, but its one return is used up
    expect(wasmThreads()).toBe(1);
    expect(g.switches.map((s) => s.threads)).toEqual([1, 2, 1]);
    setWasmThreads(2);
  });

  it('is polled from the kernels themselves (no timer needed) and unhooks on stop', () => {
    const g = new ThreadGovernor({ requested: 2, intervalMs: 0, sample: () => over }).start();
    expect(wasmThreads()).toBe(2);
    expect(Array.from(conv())).toEqual(Array.from(reference)); // the conv's kernels poll the governor
    expect(wasmThreads()).toBe(1);
    g.stop();
    setWasmThreads(2);
    expect(Array.from(conv())).toEqual(Array.from(reference));
    expect(wasmThreads()).toBe(2);
  });

  it('reads the run and wait times of this process on Linux', () => {
    const s = processSchedStat();
    if (process.platform === 'linux') {
      expect(s).not.toBeNull();
      expect(s!.runNs).toBeGreaterThan(0);
    } else {
      expect(s).toBeNull();
    }
  });
});
