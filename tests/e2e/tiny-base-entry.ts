/**
 * Run as a Node script (bundled by seedTinyBase in training-run.spec.ts): builds a tiny real
 * CycleGAN (freshly initialised: a pretraining step on the cpu backend costs ~13 s here and the
 * story only needs a base to fine-tune), exports it as the app exports models, and registers it
 * as a base model in the library folder given. argv: <libraryDir> <exportDir> <resolution>.
 * A separate process because the model code's backend loader does not load under Playwright's
 * TypeScript transform.
 */
import { Library } from '../../main/library/library';
import { exportTinyAgingModel } from '../helpers/core-fixtures';

async function main(): Promise<void> {
  const [libraryDir, exportDir, res] = process.argv.slice(2);
  const resolution = Number(res);
  const dir = await exportTinyAgingModel(exportDir!, resolution, 0);
  const lib = await Library.open(libraryDir!);
  const m = await lib.registerModel({ kind: 'cyclegan', name: 'Tiny CycleGAN', isBase: true, weightsDir: dir, config: { resolution, ageRange: [0, 90] } });
  lib.close();
  console.log(JSON.stringify({ modelId: m.id }));
  process.exit(0);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
