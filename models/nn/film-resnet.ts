/**
 * ResNet generator (same layout as models/nn/resnet-generator.ts: c7s1-ngf, nDown strided convs,
 * nBlocks residual blocks, nDown up-convs, c7s1 head) whose age code acts through FiLM after every
 * instance norm: h = IN(h) * (1 + gamma(code)) + beta(code), [gamma, beta] = code @ W, W zero-init.
 *
 * Why not concatenation: a code tiled into constant planes and concatenated before a conv adds a
 * per-channel constant to the conv's output, and the instance norm that follows subtracts exactly
 * that constant. Measured on the stem (reflect padding): max |IN(conv(x, young)) - IN(conv(x, old))|
 * = 3e-6, i.e. the generator cannot see the target age at all, which is one way to get "outputs
 * that do not age".
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';
import { conv2d, instanceNorm, upConv2x } from './ops';

export interface FilmResnetConfig {
  outChannels: number;
  condChannels: number;
  ngf: number;
  nBlocks: number;
  nDown: number;
}

type Conv = { w: tf.Variable; b: tf.Variable; film: tf.Variable };

export class FilmResnetGenerator {
  readonly params: ParamStore;
  private readonly stem: Conv;
  private readonly down: Conv[] = [];
  private readonly blocks: Array<{ a: Conv; b: Conv }> = [];
  private readonly up: Conv[] = [];
  private readonly head: { w: tf.Variable; b: tf.Variable };

  constructor(readonly config: FilmResnetConfig, name = 'G', seed = 1) {
    const { outChannels, condChannels: g, ngf, nBlocks, nDown } = config;
    const p = (this.params = new ParamStore(name, seed));
    const conv = (id: string, k: number, cin: number, cout: number, transpose = false): Conv => ({
      // conv2dTranspose filters are [k, k, out, in].
      w: p.create(`${id}.w`, transpose ? [k, k, cout, cin] : [k, k, cin, cout]),
      b: p.create(`${id}.b`, [cout], { kind: 'zeros' }),
      film: p.create(`${id}.film`, [g, 2 * cout], { kind: 'zeros' }),
    });
    this.stem = conv('stem', 7, 3, ngf);
    let c = ngf;
    for (let i = 0; i < nDown; i++, c *= 2) this.down.push(conv(`down${i}`, 3, c, c * 2));
    for (let i = 0; i < nBlocks; i++) this.blocks.push({ a: conv(`block${i}.a`, 3, c, c), b: conv(`block${i}.b`, 3, c, c) });
    for (let i = 0; i < nDown; i++, c /= 2) this.up.push(conv(`up${i}`, 3, c, c / 2, true));
    this.head = { w: p.create('head.w', [7, 7, c, outChannels]), b: p.create('head.b', [outChannels], { kind: 'zeros' }) };
  }

  /** IN then FiLM: h [N, H, W, C], code [N, G]. */
  private norm(h: tf.Tensor4D, film: tf.Variable, code: tf.Tensor2D): tf.Tensor4D {
    const n = h.shape[0];
    const c = h.shape[3];
    const gb = tf.reshape(tf.matMul(code, film), [n, 1, 1, 2 * c]);
    const gamma = tf.slice(gb, [0, 0, 0, 0], [n, 1, 1, c]);
    const beta = tf.slice(gb, [0, 0, 0, c], [n, 1, 1, c]);
    return tf.add(tf.mul(instanceNorm(h), tf.add(gamma, 1)), beta);
  }

  /** x: [N, H, W, 3] in [-1, 1]; code: [N, condChannels]. Returns raw [N, H, W, outChannels]. */
  apply(x: tf.Tensor4D, code: tf.Tensor2D): tf.Tensor4D {
    const w4 = (v: tf.Variable) => v as tf.Tensor4D;
    const b1 = (v: tf.Variable) => v as tf.Tensor1D;
    let h = tf.relu(this.norm(conv2d(x, w4(this.stem.w), b1(this.stem.b), 1, 'reflect'), this.stem.film, code));
    for (const d of this.down) h = tf.relu(this.norm(conv2d(h, w4(d.w), b1(d.b), 2, 'zero'), d.film, code));
    for (const { a, b } of this.blocks) {
      const r = tf.relu(this.norm(conv2d(h, w4(a.w), b1(a.b), 1, 'reflect'), a.film, code));
      h = tf.add(h, this.norm(conv2d(r, w4(b.w), b1(b.b), 1, 'reflect'), b.film, code));
    }
    for (const u of this.up) h = tf.relu(this.norm(upConv2x(h, w4(u.w), b1(u.b)), u.film, code));
    return conv2d(h, w4(this.head.w), b1(this.head.b), 1, 'reflect');
  }

  dispose(): void {
    this.params.dispose();
  }
}
