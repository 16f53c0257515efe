/** Used by reliability-kill-training.test.ts and its child to prove a resumed trainer holds its checkpoint's weights. */
import type { CycleGanTrainer } from '../../models/recipes/cyclegan/trainer';

/** FNV-1a over the float32 bits of every generator and discriminator weight, in stored order. */
export function weightsHash(t: CycleGanTrainer): string {
  let h = 0x811c9dc5;
  for (const store of [t.gen.params, t.disc.params]) {
    for (const name of store.names()) {
      const f = store.get(name).dataSync() as Float32Array;
      const bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    }
  }
  return (h >>> 0).toString(16);
}
