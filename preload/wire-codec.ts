/**
 * Binary framing for carrying contract messages over a WebSocket (browser host) without base64:
 * Uint8Array values are lifted out of the JSON into attachments.
 *
 * Frame layout (little endian):
 *   u32 headerLength | header (UTF-8 JSON) | repeated { u32 length | bytes }
 * In the header JSON each Uint8Array is replaced by { "$bin": <attachment index> }.
 */
const BIN_KEY = '$bin';

/**
 * out[k] = v, except that a '__proto__' key stays an own property (as JSON.parse makes it) instead
 * of replacing the object's prototype: a smuggled prototype would hide keys from the schema's
 * unknown-key check while its properties still read through.
 */
function setOwn(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function lift(value: unknown, attachments: Uint8Array[]): unknown {
  if (value instanceof Uint8Array) {
    attachments.push(value);
    return { [BIN_KEY]: attachments.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => lift(v, attachments));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(out, k, lift(v, attachments));
    return out;
  }
  return value;
}

function lower(value: unknown, attachments: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((v) => lower(v, attachments));
  if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    const keys = Object.keys(rec);
    if (keys.length === 1 && keys[0] === BIN_KEY && typeof rec[BIN_KEY] === 'number') {
      const bytes = attachments[rec[BIN_KEY]];
      if (!bytes) throw new Error('wire: attachment index out of range');
      return bytes;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) setOwn(out, k, lower(rec[k], attachments));
    return out;
  }
  return value;
}

export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const attachments: Uint8Array[] = [];
  return packFrame(new TextEncoder().encode(JSON.stringify(lift(message, attachments))), attachments);
}

/** The frame layout: [u32 LE length, JSON header] then [u32 LE length, bytes] per attachment. */
export function packFrame(header: Uint8Array, attachments: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 4 + header.byteLength;
  for (const a of attachments) size += 4 + a.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = 4 + header.byteLength;
  for (const a of attachments) {
    view.setUint32(at, a.byteLength, true);
    out.set(a, at + 4);
    at += 4 + a.byteLength;
  }
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('wire: frame too short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > frame.byteLength) throw new Error('wire: header overruns frame');
  const header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerLength))) as unknown;
  const attachments: Uint8Array[] = [];
  let at = 4 + headerLength;
  while (at < frame.byteLength) {
    if (at + 4 > frame.byteLength) throw new Error('wire: truncated attachment length');
    const len = view.getUint32(at, true);
    if (at + 4 + len > frame.byteLength) throw new Error('wire: attachment overruns frame');
    // Copy so the result owns a plain ArrayBuffer (and not a view into a pooled socket buffer).
    attachments.push(frame.slice(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return lower(header, attachments);
}

/** Messages of the browser host's socket protocol (both directions). */
export type WireMessage =
  | { t: 'req'; id: number; channel: string; request: unknown }
  | { t: 'res'; id: number; result: unknown }
  | { t: 'evt'; event: string; payload: unknown };
