/**
 * `face-age eval --save DIR`: every input and aged face the judges saw, as PNG at the resolution
 * the model ran at (the judges upsample it to 256 px), and DIR/pairs.csv with one row per aged
 * face: the two files, target, label, and each judge's estimates and distances, so the pairs can
 * be judged again with other networks.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { encodeImage } from '../image/image-io';
import { writeFileAtomic } from '../core/atomic-write';
import type { IdentityVerdict, JudgeMeasurement } from './judges/judge';

export interface PairRow {
  input: string;
  output: string;
  target: number;
  label: number;
  /** judge name -> estimates of input and output and the verdict. */
  judges: Record<string, { input: number; output: number; verdict: IdentityVerdict }>;
}

export class PairsWriter {
  private readonly rows: PairRow[] = [];
  constructor(readonly dir: string) {}

  static async open(dir: string): Promise<PairsWriter> {
    await fs.mkdir(dir, { recursive: true });
    return new PairsWriter(dir);
  }

  /** Writes a crop (size x size RGB bytes) as `name`.png; returns the file name. */
  async writeFace(name: string, bytes: Uint8Array, size: number): Promise<string> {
    const file = `${name}.png`;
    await writeFileAtomic(path.join(this.dir, file), await encodeImage({ width: size, height: size, data: bytes }, { format: 'png' }));
    return file;
  }

  add(input: string, output: string, target: number, label: number, inM: Record<string, JudgeMeasurement>, outM: Record<string, JudgeMeasurement>, verdicts: Record<string, IdentityVerdict>): void {
    const judges: PairRow['judges'] = {};
    for (const k of Object.keys(verdicts)) judges[k] = { input: inM[k].age, output: outM[k].age, verdict: verdicts[k] };
    this.rows.push({ input, output, target, label, judges });
  }

  get count(): number {
    return this.rows.length;
  }

  /** pairs.csv: input,output,target,label, then per judge <j>_input_age,<j>_output_age,<j>_<net>_distance...,<j>_score,<j>_same. */
  async close(): Promise<string> {
    const file = path.join(this.dir, 'pairs.csv');
    const first = this.rows[0];
    const judgeNames = first ? Object.keys(first.judges) : [];
    const header = ['input', 'output', 'target', 'label'];
    for (const j of judgeNames) {
      header.push(`${j}_input_age`, `${j}_output_age`);
      for (const n of Object.keys(first.judges[j].verdict.distances)) header.push(`${j}_${n}_distance`);
      header.push(`${j}_score`, `${j}_same`);
    }
    const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e4) / 1e4) : '');
    const lines = [header.join(',')];
    for (const r of this.rows) {
      const cells = [r.input, r.output, String(r.target), String(r.label)];
      for (const j of judgeNames) {
        const v = r.judges[j];
        cells.push(num(v.input), num(v.output));
        for (const n of Object.keys(first.judges[j].verdict.distances)) cells.push(num(v.verdict.distances[n]));
        cells.push(num(v.verdict.score), v.verdict.same ? '1' : '0');
      }
      lines.push(cells.join(','));
    }
    await writeFileAtomic(file, lines.join('\n') + '\n');
    return file;
  }
}
