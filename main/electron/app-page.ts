/** Whether a frame URL is the studio's own renderer page (no electron import: unit-testable). */
export function isAppPage(url: string, rendererIndexUrl: string): boolean {
  try {
    const u = new URL(url);
    const expected = new URL(rendererIndexUrl);
    return u.protocol === expected.protocol && u.host === expected.host && u.pathname === expected.pathname;
  } catch {
    return false;
  }
}
