/** The default wasm thread count (issue 22): a pure function of cores, load and the overrides. */
import { describe, expect, it } from 'vitest';
import { chooseThreads, DEFAULT_THREAD_CAP, physicalCoresFromCpuinfo } from '../../../../models/backend/thread-choice';

const calm = { load1: 0.2 };

describe('chooseThreads', () => {
  it('uses the physical cores of an idle machine', () => {
    expect(chooseThreads({ physicalCores: 4, logicalCores: 8, ...calm })).toEqual({
      threads: 4,
      startThreads: 4,
      source: 'physical cores',
      summary: '4 (physical cores)',
    });
    expect(chooseThreads({ physicalCores: 2, logicalCores: 2, ...calm })).toMatchObject({ threads: 2, startThreads: 2 });
    expect(chooseThreads({ physicalCores: 1, logicalCores: 2, ...calm })).toMatchObject({ threads: 1, startThreads: 1, summary: '1 (physical cores)' });
  });

  it('caps wide machines where more threads stop helping', () => {
    expect(chooseThreads({ physicalCores: 16, logicalCores: 32, ...calm })).toMatchObject({
      threads: DEFAULT_THREAD_CAP,
      startThreads: DEFAULT_THREAD_CAP,
      summary: '8 (physical cores, capped at 8 of 16)',
    });
    expect(chooseThreads({ physicalCores: 16, logicalCores: 32, cap: 6, ...calm }).threads).toBe(6);
  });

  it('falls back to the logical cores when the physical count is unknown, and never exceeds the cores it may use', () => {
    expect(chooseThreads({ physicalCores: null, logicalCores: 6, ...calm })).toMatchObject({ threads: 6, source: 'logical cores' });
    // /proc/cpuinfo lists the host's cores; the process may only run on 3 of them.
    expect(chooseThreads({ physicalCores: 12, logicalCores: 3, ...calm })).toMatchObject({ threads: 3, source: 'physical cores' });
  });

  it('keeps the pool but starts on 1 thread when the machine is busier than its cores', () => {
    expect(chooseThreads({ physicalCores: 2, logicalCores: 2, load1: 4.25 })).toEqual({
      threads: 2,
      startThreads: 1,
      source: 'physical cores',
      summary: '2 (physical cores; starts at 1: load 4.3 on 2 cores)',
    });
    expect(chooseThreads({ physicalCores: 4, logicalCores: 8, load1: 7.9 }).startThreads).toBe(4);
    expect(chooseThreads({ physicalCores: 4, logicalCores: 8, load1: 8 }).startThreads).toBe(1);
    // One core: nothing to drop.
    expect(chooseThreads({ physicalCores: 1, logicalCores: 1, load1: 9 })).toMatchObject({ threads: 1, startThreads: 1, summary: '1 (physical cores)' });
  });

  it('an explicit count (setting, --threads) wins, then FACE_AGE_THREADS; both apply from the start', () => {
    const busy = { physicalCores: 8, logicalCores: 16, load1: 40 };
    expect(chooseThreads({ ...busy, explicit: 3, env: '5' })).toEqual({ threads: 3, startThreads: 3, source: 'option', summary: '3 (requested)' });
    expect(chooseThreads({ ...busy, explicit: null, env: '5' })).toEqual({ threads: 5, startThreads: 5, source: 'FACE_AGE_THREADS', summary: '5 (FACE_AGE_THREADS)' });
    expect(chooseThreads({ ...busy, explicit: 12 }).threads).toBe(12); // asked for: not capped here (the wasm loader caps at its 8 workers)
  });

  it('ignores unusable overrides', () => {
    for (const env of ['', '0', '-2', 'two', '1.5']) {
      expect(chooseThreads({ physicalCores: 2, logicalCores: 2, load1: 0, env }).source).toBe('physical cores');
    }
    expect(chooseThreads({ physicalCores: 2, logicalCores: 2, load1: 0, explicit: 0 }).source).toBe('physical cores');
    expect(chooseThreads({ physicalCores: 2, logicalCores: 2, load1: 0, explicit: Number.NaN }).source).toBe('physical cores');
  });
});

describe('physicalCoresFromCpuinfo', () => {
  const cpu = (n: number, pkg: number, core: number) => `processor\t: ${n}\nmodel name\t: X\nphysical id\t: ${pkg}\ncore id\t\t: ${core}\n`;

  it('counts distinct (package, core) pairs, so hyper-threads count once', () => {
    const text = [cpu(0, 0, 0), cpu(1, 0, 1), cpu(2, 0, 0), cpu(3, 0, 1)].join('\n');
    expect(physicalCoresFromCpuinfo(text)).toBe(2);
    const twoSockets = [cpu(0, 0, 0), cpu(1, 0, 1), cpu(2, 1, 0), cpu(3, 1, 1)].join('\n');
    expect(physicalCoresFromCpuinfo(twoSockets)).toBe(4);
  });

  it('is null when the file names no cores (e.g. some ARM kernels)', () => {
    expect(physicalCoresFromCpuinfo('processor\t: 0\nBogoMIPS\t: 50\n\nprocessor\t: 1\n')).toBeNull();
  });
});
