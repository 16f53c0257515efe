/**
 * Side-by-side comparison with PyTorch for `npm run bench -- engine`: rounds that alternate our
 * engine bench (runEngineBench) and tools/bench/torch-peer.py (the same networks and step in torch) at
 * the same thread count, so both see the same machine load. Torch is never a product dependency:
 * when no python3 with torch is found the torch part is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { resolve } from 'node:path';
import { runEngineBench, type EngineBenchOptions, type EngineBenchResult, type TimingStats } from '../../models/backend/engine-bench';
import { median } from '../../shared/stats';

export interface TorchPeerResult {
  engine: 'torch';
  torchVersion: string;
  threads: number;
  inference: TimingStats;
  trainStep: TimingStats;
  loadAverage: number[];
}

export interface EngineVsTorchOptions extends EngineBenchOptions {
  /** Alternating tfjs/torch rounds (default 2). */
  rounds?: number;
  /** Python with torch; default FACE_AGE_TORCH_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3. */
  python?: string;
  /** Default tools/bench/torch-peer.py under the working directory (the repo root for `npm run bench`). */
  script?: string;
}

export interface EngineVsTorchRound {
  tfjs: { inferenceMs: number; trainStepMs: number; inferenceCpuMs: number; trainStepCpuMs: number; loadAverage: number[] };
  torch?: { inferenceMs: number; trainStepMs: number; inferenceCpuMs: number; trainStepCpuMs: number; loadAverage: number[] };
  ratio?: { inference: number; trainStep: number };
  /** The same ratios over process CPU time: steadier than wall time on a busy, shared machine. */
  cpuRatio?: { inference: number; trainStep: number };
}

export interface EngineVsTorchResult {
  /** The last round's full tfjs result (backend, threads, leak check, runs). */
  tfjs: EngineBenchResult;
  /** The last round's torch result, or why torch was skipped. */
  torch: TorchPeerResult | { skipped: string };
  rounds: EngineVsTorchRound[];
  /** Median over rounds of tfjs median / torch median (same thread count); absent when torch was skipped. */
  ratio?: { inference: number; trainStep: number; targets: { inference: 1.2; trainStep: 1.5 } };
  /** Median over rounds of the CPU-time ratios. */
  cpuRatio?: { inference: number; trainStep: number };
  threads: number;
}

/** The python that can import torch, or why there is none. */
export function findTorchPython(preferred?: string): { python: string } | { skipped: string } {
  const candidates = [preferred, process.env.FACE_AGE_TORCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return { python };
  }
  return { skipped: `no python3 with torch found (tried ${candidates.join(', ')}); install Debian's python3-torch to compare` };
}

/** Runs tools/bench/torch-peer.py once and parses its JSON line. */
export function runTorchPeer(python: string, script: string, threads: number, runs: number): TorchPeerResult {
  const r = spawnSync(python, [script, '--threads', String(threads), '--runs', String(runs)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`torch-peer failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-500)}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as TorchPeerResult;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export async function runEngineVsTorchBench(opts: EngineVsTorchOptions = {}): Promise<EngineVsTorchResult> {
  const rounds = Math.max(1, opts.rounds ?? 2);
  const runs = Math.max(1, opts.runs ?? 5);
  const script = opts.script ?? resolve('tools', 'bench', 'torch-peer.py');
  const found = existsSync(script) ? findTorchPython(opts.python) : { skipped: `${script} not found` };
  const out: EngineVsTorchRound[] = [];
  let tfjs: EngineBenchResult | null = null;
  let torch: TorchPeerResult | null = null;
  for (let i = 0; i < rounds; i++) {
    tfjs = await runEngineBench({ ...opts, runs });
    const round: EngineVsTorchRound = {
      tfjs: {
        inferenceMs: tfjs.inference.medianMs,
        trainStepMs: tfjs.trainStep.medianMs,
        inferenceCpuMs: tfjs.inference.cpuMedianMs,
        trainStepCpuMs: tfjs.trainStep.cpuMedianMs,
        loadAverage: tfjs.loadAverage,
      },
    };
    if ('python' in found) {
      torch = runTorchPeer(found.python, script, tfjs.backend.threads, runs);
      round.torch = {
        inferenceMs: torch.inference.medianMs,
        trainStepMs: torch.trainStep.medianMs,
        inferenceCpuMs: torch.inference.cpuMedianMs,
        trainStepCpuMs: torch.trainStep.cpuMedianMs,
        loadAverage: torch.loadAverage ?? os.loadavg(),
      };
      round.ratio = { inference: r2(round.tfjs.inferenceMs / round.torch.inferenceMs), trainStep: r2(round.tfjs.trainStepMs / round.torch.trainStepMs) };
      round.cpuRatio = { inference: r2(round.tfjs.inferenceCpuMs / round.torch.inferenceCpuMs), trainStep: r2(round.tfjs.trainStepCpuMs / round.torch.trainStepCpuMs) };
    }
    out.push(round);
  }
  const withRatio = out.filter((r) => r.ratio);
  return {
    tfjs: tfjs!,
    torch: torch ?? { skipped: 'skipped' in found ? found.skipped : 'not run' },
    rounds: out,
    ...(withRatio.length
      ? {
          ratio: {
            inference: r2(median(withRatio.map((r) => r.ratio!.inference))),
            trainStep: r2(median(withRatio.map((r) => r.ratio!.trainStep))),
            targets: { inference: 1.2, trainStep: 1.5 },
          },
          cpuRatio: {
            inference: r2(median(withRatio.map((r) => r.cpuRatio!.inference))),
            trainStep: r2(median(withRatio.map((r) => r.cpuRatio!.trainStep))),
          },
        }
      : {}),
    threads: tfjs!.backend.threads,
  };
}
