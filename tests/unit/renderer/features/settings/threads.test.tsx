// @vitest-environment happy-dom
/**
 * Settings screen, threads (issue 5): the help says what "auto" means now (1 thread; more are
 * opt-in and drop to 1 under load), and the engine card follows main's engineStatus events, so a
 * governor switch after start shows up without a reload.
 */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { createStudioApi, type StudioTransport } from '../../../../../preload/api';
import type { EngineStatus, Settings } from '../../../../../preload/contract';
import SettingsScreen from '../../../../../renderer/features/settings/settings-screen';
import { threadsHelp } from '../../../../../renderer/features/settings/threads-help';
import { StudioProvider } from '../../../../../renderer/lib/use-studio';
import { useDomRoot } from '../../../../helpers/dom-root';

const dom = useDomRoot();

const status = (threads: number, threadSwitches: number): EngineStatus => ({
  state: 'ready', backend: 'wasm', threads, threadSwitches, device: 'CPU (test), wasm SIMD', pid: 42, restarts: 0, lastError: null, fallbacks: [], host: 'web',
  versions: { app: '0.0.0', node: '20', electron: null, chrome: null, tfjs: '4.22.0' },
});

describe('threadsHelp', () => {
  it('says auto is 1 thread, more are opt-in and drop to 1 under load, and what runs now', () => {
    const text = threadsHelp(null);
    expect(text).toMatch(/"auto" runs 1 thread/);
    expect(text).toMatch(/drops to 1 thread while the machine is overloaded/);
    expect(text).not.toMatch(/Now/);
    expect(threadsHelp(status(2, 0))).toMatch(/Now 2 threads\.$/);
    expect(threadsHelp(status(1, 3))).toMatch(/Now 1 thread, switched 3 times under load\.$/);
  });
});

describe('SettingsScreen threads', () => {
  it('shows the help and follows engineStatus events: 2 threads at start, 1 after a governor switch', async () => {
    const settings: Settings = { backendOverride: 'auto', threads: 2, theme: 'system', libraryDir: '/tmp/lib' } as Settings;
    let push: ((payload: unknown) => void) | null = null;
    const transport: StudioTransport = {
      invoke: async (channel) => {
        if (channel === 'system:status') return { ok: true, value: status(2, 0) };
        if (channel === 'settings:get') return { ok: true, value: settings };
        return { ok: false, error: { code: 'unsupported', message: channel } };
      },
      subscribe: (event, listener) => {
        if (event === 'system:engineStatus') push = listener;
        return () => undefined;
      },
    };
    await act(async () =>
      dom.root.render(
        <StudioProvider api={createStudioApi(transport)}>
          <SettingsScreen />
        </StudioProvider>,
      ),
    );
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    const text = (id: string) => dom.host.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
    expect(text('threads-help')).toMatch(/^"auto" runs 1 thread.*Now 2 threads\.$/);
    expect(text('detected-threads')).toContain('2');
    expect(text('thread-switches')).toBeNull();

    expect(push).not.toBeNull();
    await act(async () => push!(status(1, 1)));
    expect(text('threads-help')).toMatch(/Now 1 thread, switched 1 time under load\.$/);
    expect(text('detected-threads')).toContain('1');
    expect(text('thread-switches')).toContain('1');
  });
});
