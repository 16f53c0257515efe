/**
 * Filters derived from a conv's weights (phase filters of Conv2DBackpropInput), cached per weights
 * buffer and geometry: within a training step every dx of a layer sees the same weights, and
 * reusing the derived filter also lets XNNPACK reuse its packed operator (packing 2M weights ~20 ms).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, type TensorInfo } from './heap';

const filterCache = new Map<object, { key: string; fs: TensorInfo[] }>();
const FILTER_CACHE_MAX = 64;

/** Filters derived from `filter` for `key`, built once per weights buffer. */
export function cachedFilters(backend: BackendWasm, filter: TensorInfo, key: string, build: () => TensorInfo[]): TensorInfo[] {
  const hit = filterCache.get(filter.dataId);
  if (hit && hit.key === key && hit.fs.every((f) => backend.dataIdMap.has(f.dataId))) return hit.fs;
  // Drop entries whose source weights are gone (old steps) or that belong to another backend instance.
  for (const [id, e] of filterCache) {
    if (!backend.dataIdMap.has(id) || id === filter.dataId) {
      for (const f of e.fs) if (backend.dataIdMap.has(f.dataId)) free(backend, f);
      filterCache.delete(id);
    }
  }
  const fs = build();
  if (filterCache.size >= FILTER_CACHE_MAX) {
    const [oldId, old] = filterCache.entries().next().value!;
    for (const f of old.fs) free(backend, f);
    filterCache.delete(oldId);
  }
  filterCache.set(filter.dataId, { key, fs });
  return fs;
}

