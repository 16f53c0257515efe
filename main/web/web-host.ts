/**
 * Browser host: serves the built renderer on 127.0.0.1 and carries the contract over one
 * WebSocket per tab. Guards: loopback peers only, Host and Origin must name this server, and the
 * socket must present the per-launch token (as a `token.<token>` WebSocket subprotocol; the
 * renderer reads it from the URL fragment, which never reaches the server or its logs).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type WireMessage } from '../../preload/wire-codec';
import type { StudioCore } from '../core/core';
import { CSP_HEADER } from '../security/csp';

export const SUBPROTOCOL = 'studio.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';
const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface WebHostOptions {
  core: StudioCore;
  /** dist/renderer */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
}

export interface WebHost {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let allowedHosts = new Set<string>();
  let origin = '';

  const refuse = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    res.end(text);
  };

  async function serveStatic(req: IncomingMessage, res: ServerResponse) {
    if (!isLoopback(req.socket.remoteAddress)) return refuse(res, 403, 'loopback only');
    // DNS-rebinding guard: the Host header must name this server.
    if (!allowedHosts.has(req.headers.host ?? '')) return refuse(res, 421, 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const pathname = decodeURIComponent(new URL(req.url ?? '/', origin).pathname);
    const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = normalize(join(options.rendererDir, rel));
    if (!file.startsWith(normalize(options.rendererDir) + sep)) return refuse(res, 404, 'not found');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return refuse(res, 404, 'not found');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': rel === 'index.html' ? 'no-store' : 'max-age=3600',
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    serveStatic(req, res).catch(() => refuse(res, 500, 'error'));
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const deny = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!isLoopback(req.socket.remoteAddress)) return deny(403, 'Forbidden');
    if (!allowedHosts.has(req.headers.host ?? '')) return deny(403, 'Forbidden');
    if (req.headers.origin !== origin && req.headers.origin !== origin.replace('127.0.0.1', 'localhost')) {
      return deny(403, 'Forbidden');
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const presented = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
    if (!presented || !sameToken(presented, token) || !offered.includes(SUBPROTOCOL)) return deny(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const sockets = new Set<WebSocket>();
  const unsubscribe = options.core.events.subscribe((event, payload) => {
    if (sockets.size === 0) return;
    const frame = encodeFrame({ t: 'evt', event, payload } satisfies WireMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  function serveSocket(ws: WebSocket) {
    sockets.add(ws);
    const gone = new AbortController();
    ws.on('close', () => {
      sockets.delete(ws);
      gone.abort();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return ws.close(1003, 'binary frames only');
      let msg: WireMessage;
      try {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        msg = decodeFrame(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)) as WireMessage;
      } catch {
        return ws.close(1007, 'malformed frame');
      }
      if (msg?.t !== 'req' || typeof msg.id !== 'number') return ws.close(1008, 'requests only');
      void options.core.dispatch(msg.channel, msg.request, { host: 'web', signal: gone.signal }).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeFrame({ t: 'res', id: msg.id, result } satisfies WireMessage));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
