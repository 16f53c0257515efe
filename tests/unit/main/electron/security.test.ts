import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createStudioCore } from '../../../../main/core/core';
import { forkLauncher } from '../../../../main/engine/launcher';
import {
  externalLink,
  isAllowedRequest,
  refuseNavigation,
  refusePermissionCheck,
  refusePermissionRequest,
  windowOpenHandler,
  withCsp,
} from '../../../../main/electron/guards';
import { CSP_HEADER } from '../../../../main/security/csp';
import { SUBPROTOCOL, startWebHost } from '../../../../main/web/web-host';

// The Electron binary is absent here, so the Electron layer is tested two ways: the guard functions
// themselves (main/electron/guards.ts), and the real window.ts / main.ts wiring against stand-ins of
// the few Electron objects they touch, checking that every guard is installed and refuses.

type Listener = (...args: unknown[]) => unknown;

interface FakeContents {
  listeners: Map<string, Listener[]>;
  openHandler: ((d: { url: string }) => { action: string }) | null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void;
  on(event: string, fn: Listener): FakeContents;
  send(): void;
}

function fakeContents(): FakeContents {
  const c: FakeContents = {
    listeners: new Map(),
    openHandler: null,
    setWindowOpenHandler(h) {
      c.openHandler = h;
    },
    on(event, fn) {
      c.listeners.set(event, [...(c.listeners.get(event) ?? []), fn]);
      return c;
    },
    send() {},
  };
  return c;
}

const electron = vi.hoisted(() => {
  const state = {
    opened: [] as string[],
    windows: [] as { options: Record<string, unknown>; webContents: unknown; loaded: string[] }[],
    app: new Map<string, (...args: unknown[]) => unknown>(),
    session: {
      permissionRequest: null as null | ((...a: unknown[]) => void),
      permissionCheck: null as null | ((...a: unknown[]) => unknown),
      devicePermission: null as null | ((...a: unknown[]) => unknown),
      headers: null as null | ((d: unknown, cb: (r: unknown) => void) => void),
      request: null as null | ((d: unknown, cb: (r: unknown) => void) => void),
    },
    makeContents: null as null | (() => unknown),
    ready: null as null | (() => void),
    sandboxed: false,
    quit: 0,
  };
  return state;
});

vi.mock('electron', () => {
  const session = {
    setPermissionRequestHandler: (h: never) => (electron.session.permissionRequest = h),
    setPermissionCheckHandler: (h: never) => (electron.session.permissionCheck = h),
    setDevicePermissionHandler: (h: never) => (electron.session.devicePermission = h),
    webRequest: {
      onHeadersReceived: (h: never) => (electron.session.headers = h),
      onBeforeRequest: (h: never) => (electron.session.request = h),
    },
  };
  class BrowserWindow {
    readonly webContents: unknown;
    readonly loaded: string[] = [];
    constructor(readonly options: Record<string, unknown>) {
      this.webContents = electron.makeContents?.();
      electron.windows.push(this);
    }
    once() {}
    on() {}
    show() {}
    async loadFile(path: string) {
      this.loaded.push(path);
    }
    static fromWebContents() {
      return null;
    }
    static getAllWindows() {
      return [];
    }
  }
  const app = {
    enableSandbox: () => (electron.sandboxed = true),
    on: (name: string, fn: (...args: unknown[]) => unknown) => electron.app.set(name, fn),
    requestSingleInstanceLock: () => true,
    whenReady: () => new Promise<void>((r) => (electron.ready = r)),
    getPath: () => join(tmpdir(), 'never-used'),
    getAppPath: () => join(tmpdir(), 'never-used'),
    quit: () => electron.quit++,
  };
  return {
    app,
    BrowserWindow,
    session: { defaultSession: session },
    shell: { openExternal: async (url: string) => void electron.opened.push(url) },
    ipcMain: { handle: () => undefined, removeHandler: () => undefined },
    dialog: {},
    utilityProcess: { fork: () => ({ on: () => undefined, postMessage: () => undefined, kill: () => true, pid: 1 }) },
  };
});

const RENDERER = resolve('/opt/studio/resources/app.asar/dist/renderer');
const INDEX = pathToFileURL(join(RENDERER, 'index.html')).href;

/** URLs a compromised or confused renderer might try to leave for or load from. */
const HOSTILE_URLS = [
  'https://evil.example/',
  'http://evil.example/phish.html',
  'http://127.0.0.1:8080/',
  'ws://127.0.0.1:9000/',
  'ftp://files.example/x',
  'file:///etc/passwd',
  'file:///home/user/.ssh/id_rsa',
  'file://server/share/photo.jpg',
  pathToFileURL(join(RENDERER, '..', 'preload.cjs')).href,
  pathToFileURL(`${RENDERER}-evil/index.html`).href,
  'javascript:alert(1)',
  'chrome://settings',
  'not a url',
];

function navigationRefused(listener: Listener, url: string): boolean {
  let prevented = false;
  listener({ preventDefault: () => (prevented = true), url }, url);
  return prevented;
}

describe('Electron guards (pure)', () => {
  it('refuses every navigation, including one back to the app page', () => {
    for (const url of [...HOSTILE_URLS, INDEX]) expect(navigationRefused(refuseNavigation as Listener, url), url).toBe(true);
  });

  it('never opens a studio window; only plain https links go to the default browser', () => {
    const opened: string[] = [];
    const handler = windowOpenHandler((u) => opened.push(u));
    for (const url of [...HOSTILE_URLS, 'https://user:pw@evil.example/', INDEX, 'https://github.com/doyensec/electronegativity']) {
      expect(handler({ url })).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://evil.example/', 'https://github.com/doyensec/electronegativity']);
    expect(externalLink('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
    expect(externalLink('file:///etc/passwd')).toBeNull();
  });

  it('loads only the app files under the renderer folder and the blob:/data: URLs the page makes', () => {
    for (const url of HOSTILE_URLS) expect(isAllowedRequest(url, RENDERER), url).toBe(false);
    expect(isAllowedRequest(RENDERER, RENDERER)).toBe(false);
    for (const url of [INDEX, pathToFileURL(join(RENDERER, 'assets', 'index-abc.js')).href, 'data:image/png;base64,AAAA', 'blob:file:///0b1c-uuid']) {
      expect(isAllowedRequest(url, RENDERER), url).toBe(true);
    }
    // Percent-encoded traversal is decoded before the folder check.
    expect(isAllowedRequest(`${pathToFileURL(RENDERER).href}/%2e%2e/preload.cjs`, RENDERER)).toBe(false);
  });

  it('grants no permission', () => {
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem', 'unknown']) {
      refusePermissionRequest(null, p, (granted) => answers.push(granted));
    }
    expect(answers).toEqual(new Array(7).fill(false));
    expect(refusePermissionCheck()).toBe(false);
  });

  it('puts the studio CSP on every response, replacing one a response brings, without prototype tricks', () => {
    const headers = JSON.parse('{"content-security-policy":["default-src *"],"X-Other":["1"],"__proto__":{"polluted":["yes"]}}');
    const out = withCsp(headers);
    expect(out).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CSP_HEADER] });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CSP_HEADER] });
  });
});

describe('Electron wiring (window.ts, main.ts) with stand-in Electron objects', () => {
  it('creates the window sandboxed and guarded, and hardens the session', async () => {
    const contents = fakeContents();
    electron.makeContents = () => contents;
    const { createStudioWindow, hardenSession } = await import('../../../../main/electron/window');
    const { session } = await import('electron');
    createStudioWindow(resolve(RENDERER, '..'));
    const win = electron.windows.at(-1)!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(win.loaded).toEqual([join(RENDERER, 'index.html')]);

    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const listeners = contents.listeners.get(event) ?? [];
      expect(listeners.length, event).toBeGreaterThan(0);
      for (const url of HOSTILE_URLS) expect(listeners.every((l) => navigationRefused(l, url)), `${event} ${url}`).toBe(true);
    }
    expect(contents.openHandler?.({ url: 'https://evil.example/x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(electron.opened).toEqual(['https://evil.example/x']);

    hardenSession(session.defaultSession as never, RENDERER);
    const s = electron.session;
    const request = (url: string) => {
      let answer: unknown;
      s.request?.({ url }, (r) => (answer = r));
      return answer;
    };
    for (const url of HOSTILE_URLS) expect(request(url), url).toEqual({ cancel: true });
    expect(request(INDEX)).toEqual({ cancel: false });
    let headers: unknown;
    s.headers?.({ url: INDEX, responseHeaders: { 'Content-Security-Policy': ["script-src 'unsafe-eval'"] } }, (r) => (headers = r));
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [CSP_HEADER] } });
    let granted: unknown;
    s.permissionRequest?.({}, 'media', (g: boolean) => (granted = g), {});
    expect(granted).toBe(false);
    expect(s.permissionCheck?.({}, 'media', 'https://evil.example', {})).toBe(false);
    expect(s.devicePermission?.({ deviceType: 'usb', origin: 'https://evil.example' })).toBe(false);
  });

  it('main.ts sandboxes the app, guards every web contents it did not create, and hardens the session at start', async () => {
    await import('../../../../main/electron/main');
    expect(electron.sandboxed).toBe(true);
    const created = electron.app.get('web-contents-created');
    expect(created).toBeTypeOf('function');
    const stray = fakeContents();
    created?.({}, stray);
    expect(stray.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-attach-webview']) {
      expect(navigationRefused(stray.listeners.get(event)![0]!, 'https://evil.example/'), event).toBe(true);
    }

    // Start the app: the default session is hardened with the renderer folder next to the bundle.
    electron.session.request = null;
    electron.makeContents = fakeContents;
    electron.ready?.();
    await vi.waitFor(() => expect(electron.session.request).not.toBeNull());
    const answer = (url: string) => {
      let r: unknown;
      electron.session.request?.({ url }, (x) => (r = x));
      return r;
    };
    expect(answer('https://evil.example/tracker.js')).toEqual({ cancel: true });
    const bundleDir = resolve('main/electron'); // __dirname of main.ts when run from source
    expect(answer(pathToFileURL(join(bundleDir, 'renderer', 'index.html')).href)).toEqual({ cancel: false });
    expect(answer(pathToFileURL(join(bundleDir, 'engine.cjs')).href)).toEqual({ cancel: true });
    // Quit: the core shuts down before the app exits.
    let prevented = false;
    electron.app.get('will-quit')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(electron.quit).toBe(1));
  });
});

describe('Electronegativity gate (npm run security)', () => {
  const stages: string[] = [];
  afterAll(() => {
    for (const d of stages) rmSync(d, { recursive: true, force: true });
  });

  const reportDir = mkdtempSync(join(tmpdir(), 'security-report-'));
  stages.push(reportDir);
  const scan = (report: string, input?: string) =>
    spawnSync(process.execPath, ['scripts/security.mjs', `--report=${join(reportDir, report)}`, ...(input ? [`--input=${input}`] : [])], {
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('passes on the Electron layer with no high-severity finding', () => {
    const r = scan('clean.json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/electronegativity: \d+ checks, 0 high,/);
    const report = JSON.parse(readFileSync(join(reportDir, 'clean.json'), 'utf8'));
    expect(report.bySeverity.HIGH).toBe(0);
    expect(report.checks).toBeGreaterThan(30);
    expect(report.unparsed).toEqual([]);
  });

  it('fails when the window loses its navigation guards (the gate can fail)', () => {
    mkdirSync(resolve('.tmp'), { recursive: true });
    const stage = mkdtempSync(resolve('.tmp', 'security-neg-'));
    stages.push(stage);
    cpSync('main/electron', join(stage, 'main/electron'), { recursive: true });
    cpSync('renderer/index.html', join(stage, 'renderer/index.html'));
    for (const f of ['window.ts', 'main.ts']) {
      const path = join(stage, 'main/electron', f);
      const stripped = readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => !/contents\.on\('will-(frame-)?navigate'|contents\.setWindowOpenHandler\(|'web-contents-created'/.test(l))
        .join('\n');
      writeFileSync(path, stripped);
    }
    const r = scan('stripped.json', stage);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/HIGH\s+\w+\s+LIMIT_NAVIGATION_GLOBAL_CHECK/);
    // It failed on the finding, not on a file it could not parse.
    expect(JSON.parse(readFileSync(join(reportDir, 'stripped.json'), 'utf8')).unparsed).toEqual([]);
  });
});

describe('browser host: only loopback peers with the token reach the core', () => {
  it('cannot be reached on a non-loopback address, and refuses a socket with a foreign Host even with the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reliability-web-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    // No engine is needed: nothing may get as far as the core.
    const core = createStudioCore({
      host: 'web',
      configDir: join(dir, 'config'),
      defaultLibraryDir: join(dir, 'library'),
      engineLauncher: forkLauncher(join(dir, 'no-engine.cjs')),
      versions: { app: 'test', electron: null, chrome: null },
    });
    const dispatched: unknown[] = [];
    const realDispatch = core.dispatch;
    core.dispatch = (channel, payload, ctx) => {
      dispatched.push(channel);
      return realDispatch(channel, payload, ctx);
    };
    const host = await startWebHost({ core, rendererDir });
    try {
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && !a.internal)
        .map((a) => a!.address);
      for (const address of external) {
        const outcome = await new Promise<string>((done) => {
          const s = connect({ host: address, port: host.port });
          s.setTimeout(3000, () => (s.destroy(), done('timeout')));
          s.on('connect', () => (s.destroy(), done('connected')));
          s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
        });
        expect(outcome, address).not.toBe('connected');
      }

      // A page on another host name that resolves to 127.0.0.1 (DNS rebinding) with a stolen token.
      const upgrade = await new Promise<string>((done) => {
        const s = connect({ host: '127.0.0.1', port: host.port }, () =>
          s.write(
            `GET /ws HTTP/1.1\r\nHost: rebind.example:${host.port}\r\nOrigin: http://rebind.example:${host.port}\r\n` +
              `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
              `Sec-WebSocket-Protocol: ${SUBPROTOCOL}, token.${host.token}\r\n\r\n`,
          ),
        );
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('close', () => done(text));
        s.on('error', () => done(text));
      });
      expect(upgrade).toMatch(/^HTTP\/1\.1 403/);
      expect(dispatched).toEqual([]);
    } finally {
      await host.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
