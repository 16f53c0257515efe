/**
 * The renderer's Content-Security-Policy. renderer/index.html carries CSP_META in a <meta> tag
 * (a unit test keeps the two equal); the browser host and Electron also send CSP_HEADER.
 * style-src needs 'unsafe-inline' because MUI (emotion) injects <style> elements at runtime.
 */
export const CSP_META = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** frame-ancestors only works as a header. */
export const CSP_HEADER = `${CSP_META}; frame-ancestors 'none'`;
