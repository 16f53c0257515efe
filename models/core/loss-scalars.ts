/**
 * The end of every trainer's step: the loss scalars it kept (tf.keep'd clones, one per name) are
 * read from the device when the caller asked for them, and disposed either way.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Values of `parts` by name (all reads issued at once), or {} without a device read when `read` is false. */
export async function readLossScalars(parts: Record<string, tf.Scalar>, read: boolean): Promise<Record<string, number>> {
  if (!read) {
    tf.dispose(Object.values(parts));
    return {};
  }
  const names = Object.keys(parts);
  const values = await Promise.all(names.map((k) => parts[k].data()));
  tf.dispose(Object.values(parts));
  const out: Record<string, number> = {};
  names.forEach((k, i) => (out[k] = values[i][0]));
  return out;
}
