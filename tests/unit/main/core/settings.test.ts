/**
 * SettingsStore reports the library actually in use: a host's --library override wins over the
 * stored and default folders until the user picks another folder, which is stored and reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../../../main/core/settings-store';

const dir = mkdtempSync(join(tmpdir(), 'core-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SettingsStore library folder', () => {
  it('reports the default, the stored folder, and a host override over both', () => {
    const file = join(dir, 'settings.json');
    expect(new SettingsStore(file, '/default/lib').get().libraryDir).toBe('/default/lib');
    new SettingsStore(file, '/default/lib').update({ libraryDir: '/stored/lib' });
    expect(new SettingsStore(file, '/default/lib').get().libraryDir).toBe('/stored/lib');
    const overridden = new SettingsStore(file, '/default/lib', '/flag/lib');
    expect(overridden.get().libraryDir).toBe('/flag/lib');
    // Other settings changes keep the override; choosing a folder replaces it.
    expect(overridden.update({ theme: 'dark' }).libraryDir).toBe('/flag/lib');
    expect(overridden.update({ libraryDir: '/chosen/lib' }).libraryDir).toBe('/chosen/lib');
    expect(new SettingsStore(file, '/default/lib').get().libraryDir).toBe('/chosen/lib');
  });
});
