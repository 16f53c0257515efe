/**
 * What the studio window lets through, as pure functions with no electron import so unit tests can
 * drive them (tests/unit/main/electron/security.test.ts). The studio is one local page:
 * navigation, new windows, webviews, remote requests and permission prompts are all refused.
 * window.ts and main.ts wire these onto the session and onto every web contents.
 */
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSP_HEADER } from '../security/csp';

export interface Preventable {
  preventDefault(): void;
}

/**
 * will-navigate, will-frame-navigate, will-redirect, will-attach-webview: always refused. The
 * renderer routes with the URL hash (no navigation event), so no legitimate flow navigates.
 */
export function refuseNavigation(event: Preventable): void {
  event.preventDefault();
}

/** The link a window.open / target=_blank may hand to the user's browser: https only, no credentials. */
export function externalLink(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' ? u.href : null;
  } catch {
    return null;
  }
}

/** setWindowOpenHandler: never a new studio window; https links go to the default browser. */
export function windowOpenHandler(openExternal: (url: string) => void): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    const link = externalLink(url);
    if (link) openExternal(link);
    return { action: 'deny' };
  };
}

/** setPermissionRequestHandler: camera, notifications, geolocation, openExternal, ...: all refused. */
export function refusePermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

/** setPermissionCheckHandler / setDevicePermissionHandler: nothing is granted. */
export function refusePermissionCheck(): boolean {
  return false;
}

/**
 * onBeforeRequest: the renderer may load the app's own files (under `rendererDir`) and the blob:/data:
 * URLs it creates for images; DevTools keeps its own scheme. Everything else (http(s), ws, ftp,
 * files outside the renderer folder) is cancelled: no photo or script comes from elsewhere.
 */
export function isAllowedRequest(url: string, rendererDir: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  switch (u.protocol) {
    case 'blob:':
    case 'data:':
    case 'devtools:':
      return true;
    case 'file:': {
      if (u.host !== '') return false; // file://server/share: a network path
      let path: string;
      try {
        path = fileURLToPath(u);
      } catch {
        return false;
      }
      const rel = relative(rendererDir, path);
      return rel !== '' && !isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..';
    }
    default:
      return false;
  }
}

/** onHeadersReceived: our CSP replaces any CSP a response carries (whatever its header case). */
export function withCsp(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    // '__proto__' as a key would set the prototype of `out` instead of a header.
    if (name.toLowerCase() === 'content-security-policy' || name === '__proto__') continue;
    out[name] = value;
  }
  out['Content-Security-Policy'] = [CSP_HEADER];
  return out;
}
