import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createStudioCore, type StudioCore } from '../../../../main/core/core';
import { forkLauncher } from '../../../../main/engine/launcher';
import { CSP_HEADER } from '../../../../main/security/csp';
import { SUBPROTOCOL, isLoopback, startWebHost, type WebHost } from '../../../../main/web/web-host';
import { decodeFrame, encodeFrame } from '../../../../preload/wire-codec';
import { bundleEngine } from '../../../helpers/engine-bundle';

let dir = '';
let core: StudioCore;
let host: WebHost;

beforeAll(async () => {
  ({ dir } = await bundleEngine('foundation-web'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  core = createStudioCore({
    host: 'web',
    configDir: join(dir, 'config'),
    defaultLibraryDir: join(dir, 'library'),
    engineLauncher: forkLauncher(join(dir, 'engine.cjs')),
    versions: { app: 'test', electron: null, chrome: null },
  });
  core.start();
  host = await startWebHost({ core, rendererDir });
});

afterAll(async () => {
  await host?.close();
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((done, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Opens a socket and resolves to 'open' or the HTTP status the server refused it with. */
function connect(protocols: string[], origin: string | undefined) {
  return new Promise<{ outcome: 'open'; ws: WebSocket } | { outcome: number }>((done) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, protocols, origin ? { origin } : {});
    ws.on('open', () => done({ outcome: 'open', ws }));
    ws.on('unexpected-response', (_req, res) => done({ outcome: res.statusCode ?? 0 }));
    ws.on('error', () => done({ outcome: -1 }));
  });
}

function call(ws: WebSocket, id: number, channel: string, req: unknown) {
  return new Promise<unknown>((done) => {
    const onMessage = (data: Buffer) => {
      const msg = decodeFrame(new Uint8Array(data)) as { t: string; id?: number; result?: unknown };
      if (msg.t === 'res' && msg.id === id) {
        ws.off('message', onMessage);
        done(msg.result);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeFrame({ t: 'req', id, channel, request: req }));
  });
}

describe('browser host', () => {
  it('serves the renderer with the CSP and security headers, and nothing outside it', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>studio</title>');
    expect(index.headers['content-security-policy']).toBe(CSP_HEADER);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    // DNS rebinding: a foreign Host header is refused.
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(421);
  });

  it('prints a loopback URL with the token in the fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{40,}$/);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('192.168.1.5')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });

  it('refuses sockets without the token, with a wrong token, or from a foreign Origin', async () => {
    expect((await connect([SUBPROTOCOL], host.origin)).outcome).toBe(401);
    expect((await connect([SUBPROTOCOL, `token.${'x'.repeat(43)}`], host.origin)).outcome).toBe(401);
    expect((await connect([SUBPROTOCOL, `token.${host.token.slice(0, -1)}`], host.origin)).outcome).toBe(401);
    expect((await connect([SUBPROTOCOL, `token.${host.token}`], 'http://evil.example')).outcome).toBe(403);
    expect((await connect([SUBPROTOCOL, `token.${host.token}`], undefined)).outcome).toBe(403);
  });

  it('carries typed requests to main and the engine over an authorised socket', async () => {
    const c = await connect([SUBPROTOCOL, `token.${host.token}`], host.origin);
    expect(c.outcome).toBe('open');
    if (c.outcome !== 'open') return;
    try {
      const pong = (await call(c.ws, 1, 'system:ping', { echo: 'web' })) as { ok: boolean; value: { echo: string; backend: string } };
      expect(pong).toMatchObject({ ok: true, value: { echo: 'web' } });
      expect(['wasm', 'cpu']).toContain(pong.value.backend);
      const bad = await call(c.ws, 2, 'system:ping', { delayMs: 'soon' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
      // The test hook is off for this host.
      expect(await call(c.ws, 3, 'system:ping', { delayMs: 5 })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
      expect(await call(c.ws, 4, 'dialogs:openFiles', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    } finally {
      c.ws.close();
    }
  });
});
