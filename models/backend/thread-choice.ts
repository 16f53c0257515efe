/**
 * How many wasm threads the engine uses when nobody says (issue 22).
 *
 * The pool is sized once at start (a pool with more threads later needs workers pre-loaded then),
 * so the default pool is the machine's physical cores, capped at DEFAULT_THREAD_CAP: XNNPACK's
 * barrier per kernel makes hyper-threads and very wide pools help little on the 64-512 px
 * convolutions of the face nets and the GANs, and the glue pre-loads 8 workers. The pool starts
 * with one thread when the machine is already busier than its cores (the stall of issue 5: every
 * kernel waits for a descheduled thread); the ThreadGovernor (thread-governor.ts) then moves
 * between 1 thread and the pool as the machine's load comes and goes.
 * An explicit count (the caller: the studio's Threads setting, `--threads`), else
 * FACE_AGE_THREADS, wins over the machine and is used from the start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** More threads than this stop helping the engine's kernels (and the wasm glue pre-loads 8 workers). */
export const DEFAULT_THREAD_CAP = 8;

export type ThreadSource = 'option' | 'FACE_AGE_THREADS' | 'physical cores' | 'logical cores';

export interface ThreadChoiceInput {
  /** The caller's count (studio setting, --threads); null/undefined when not given. */
  explicit?: number | null;
  /** FACE_AGE_THREADS as found in the environment. */
  env?: string;
  /** Physical cores this process may use, or null when unknown. */
  physicalCores: number | null;
  /** Logical cores this process may use (os.availableParallelism). */
  logicalCores: number;
  /** 1-minute load average of the machine. */
  load1: number;
  cap?: number;
}

export interface ThreadChoice {
  /** Threads of the pool the backend starts. */
  threads: number;
  /** Threads to compute with from the start (1 on a busy machine; the governor goes up when calm). */
  startThreads: number;
  source: ThreadSource;
  /** One line for logs and the bench, e.g. "2 (physical cores; starts at 1: load 4.1 on 2 cores)". */
  summary: string;
}

function positiveInt(s: string | undefined): number | null {
  if (!s || !/^\d+$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return n > 0 ? n : null;
}

/** The default thread choice: a pure function of the machine's cores and load and the overrides. */
export function chooseThreads(input: ThreadChoiceInput): ThreadChoice {
  const explicit = input.explicit != null && Number.isFinite(input.explicit) && input.explicit >= 1 ? Math.floor(input.explicit) : null;
  const fromEnv = positiveInt(input.env);
  if (explicit !== null || fromEnv !== null) {
    const threads = (explicit ?? fromEnv)!;
    const source: ThreadSource = explicit !== null ? 'option' : 'FACE_AGE_THREADS';
    return { threads, startThreads: threads, source, summary: `${threads} (${source === 'option' ? 'requested' : 'FACE_AGE_THREADS'})` };
  }
  const logical = Math.max(1, Math.floor(input.logicalCores));
  const physical = input.physicalCores !== null && input.physicalCores >= 1 ? Math.min(Math.floor(input.physicalCores), logical) : null;
  const source: ThreadSource = physical !== null ? 'physical cores' : 'logical cores';
  const cap = Math.max(1, Math.floor(input.cap ?? DEFAULT_THREAD_CAP));
  const cores = physical ?? logical;
  const threads = Math.min(cores, cap);
  const busy = threads > 1 && input.load1 >= logical;
  const startThreads = busy ? 1 : threads;
  const capped = cores > cap ? `, capped at ${cap} of ${cores}` : '';
  const start = busy ? `; starts at 1: load ${input.load1.toFixed(1)} on ${logical} cores` : '';
  return { threads, startThreads, source, summary: `${threads} (${source}${capped}${start})` };
}

/** Logical cores this process may run on. */
export function logicalCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Distinct (package, core) pairs in /proc/cpuinfo text; null when it names none. */
export function physicalCoresFromCpuinfo(text: string): number | null {
  const cores = new Set<string>();
  let pkg = '0';
  let core: string | null = null;
  const flush = () => {
    if (core !== null) cores.add(`${pkg}:${core}`);
    pkg = '0';
    core = null;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    const m = /^(physical id|core id)\s*:\s*(\S+)/.exec(line);
    if (m) {
      if (m[1] === 'physical id') pkg = m[2];
      else core = m[2];
    }
  }
  flush();
  return cores.size > 0 ? cores.size : null;
}

/** Physical cores of this machine, or null when the platform does not tell cheaply. */
export function physicalCores(): number | null {
  try {
    if (process.platform === 'linux') return physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    if (process.platform === 'darwin') {
      const n = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    }
  } catch {
    // Unreadable: fall back to the logical count.
  }
  return null;
}

/** chooseThreads on this machine now. */
export function defaultThreadChoice(explicit?: number | null): ThreadChoice {
  return chooseThreads({
    explicit,
    env: process.env.FACE_AGE_THREADS,
    physicalCores: physicalCores(),
    logicalCores: logicalCores(),
    load1: os.loadavg()[0],
  });
}
