/**
 * History of generated faces shown to the discriminator (CycleGAN's ImagePool, size 50): once
 * full, each new fake is, with probability 1/2, swapped for a random stored one. Kept in host
 * memory (not as tensors), so the device tensor count stays constant from the first step and the
 * pool is saved with the checkpoint for an exact resume. Each entry carries its age code, since
 * the discriminator judges realism per age.
 */
export interface PoolEntry {
  image: Float32Array;
  code: Float32Array;
}

export class ImagePool {
  private entries: PoolEntry[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.length;
  }

  /** Returns the entries to show D in place of `fresh` (same count and order). */
  query(fresh: PoolEntry[], rand: () => number): PoolEntry[] {
    if (this.capacity === 0) return fresh;
    // A resolution change (progressive training) makes old fakes unusable: start afresh.
    if (this.entries.length && fresh.length && this.entries[0].image.length !== fresh[0].image.length) {
      this.entries = [];
    }
    return fresh.map((e) => {
      if (this.entries.length < this.capacity) {
        this.entries.push(e);
        return e;
      }
      if (rand() < 0.5) {
        const i = Math.min(this.capacity - 1, Math.floor(rand() * this.capacity));
        const old = this.entries[i];
        this.entries[i] = e;
        return old;
      }
      return e;
    });
  }

  /** Flat copy for checkpointing: images concatenated, codes concatenated. */
  serialize(): { count: number; imageSize: number; codeSize: number; images: Float32Array; codes: Float32Array } {
    const count = this.entries.length;
    const imageSize = count ? this.entries[0].image.length : 0;
    const codeSize = count ? this.entries[0].code.length : 0;
    const images = new Float32Array(count * imageSize);
    const codes = new Float32Array(count * codeSize);
    this.entries.forEach((e, i) => {
      images.set(e.image, i * imageSize);
      codes.set(e.code, i * codeSize);
    });
    return { count, imageSize, codeSize, images, codes };
  }

  restore(s: { count: number; imageSize: number; codeSize: number; images: Float32Array; codes: Float32Array }): void {
    this.entries = [];
    for (let i = 0; i < s.count; i++) {
      this.entries.push({
        image: s.images.slice(i * s.imageSize, (i + 1) * s.imageSize),
        code: s.codes.slice(i * s.codeSize, (i + 1) * s.codeSize),
      });
    }
  }
}
