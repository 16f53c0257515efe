// @vitest-environment happy-dom
/**
 * The training dashboard's run view for an interrupted run: it says so, and offers Resume from
 * checkpoint. Stopping a run asks whether to keep what it learned (the default) or discard it.
 */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { createStudioApi, type StudioTransport } from '../../../../../preload/api';
import type { LiveRun } from '../../../../../renderer/features/training/api/run-state';
import { RunDetail } from '../../../../../renderer/features/training/components/run-detail';
import { RunList } from '../../../../../renderer/features/training/components/run-list';
import { StudioProvider } from '../../../../../renderer/lib/use-studio';
import { useDomRoot } from '../../../../helpers/dom-root';

const dom = useDomRoot();

const run = (state: LiveRun['state']): LiveRun => ({
  runId: '4', kind: 'fine-tune', state, name: 'me', baseModelId: '1', outputModelId: null, step: 17, steps: 40,
  startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, lastLosses: { G: 1.5 },
  error: state === 'interrupted' ? 'training process exited (SIGKILL)' : null, stepsPerSec: null, etaSec: null,
});

function fakeStudio(asked: [string, unknown][]): StudioTransport {
  return {
    invoke: async (channel, request) => {
      asked.push([channel, request]);
      if (channel === 'training:get') return { ok: true, value: { ...run('interrupted'), history: [], sampleSteps: [], config: {} } };
      if (channel === 'training:resumeInterrupted') return { ok: true, value: { runId: '4', state: 'running' } };
      if (channel === 'training:cancel') return { ok: true, value: { runId: '4', state: 'cancelled' } };
      return { ok: false, error: { code: 'not-found', message: 'none' } };
    },
    subscribe: () => () => undefined,
  };
}

const testId = (id: string) => dom.host.querySelector(`[data-testid="${id}"]`);
/** The stop confirmation is a dialog, rendered outside the host. */
const inPage = (id: string) => document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);

describe('an interrupted run in the training dashboard', () => {
  it('shows interrupted with its reason and a Resume from checkpoint button that calls training:resumeInterrupted', async () => {
    const asked: [string, unknown][] = [];
    await act(async () => dom.root.render(<StudioProvider api={createStudioApi(fakeStudio(asked))}><RunDetail run={run('interrupted')} /></StudioProvider>));
    expect(testId('run-state')?.textContent).toBe('interrupted');
    expect(dom.host.textContent).toContain('SIGKILL');
    // Un-pause and pause are for a live child; an interrupted run resumes from its checkpoint or is cancelled.
    expect(testId('run-pause')).toBeNull();
    expect(testId('run-resume')).toBeNull();
    expect(testId('run-cancel')).not.toBeNull();
    await act(async () => (testId('run-resume-interrupted') as HTMLButtonElement).click());
    expect(asked).toContainEqual(['training:resumeInterrupted', { runId: '4' }]);
  });

  it('is not offered for a running or completed run; the history lists the interrupted run with its progress', async () => {
    const asked: [string, unknown][] = [];
    for (const state of ['running', 'completed', 'paused'] as const) {
      await act(async () => dom.root.render(<StudioProvider api={createStudioApi(fakeStudio(asked))}><RunDetail run={run(state)} /></StudioProvider>));
      expect(testId('run-resume-interrupted'), state).toBeNull();
    }
    await act(async () => dom.root.render(<RunList runs={[run('interrupted'), run('completed')]} activeId={null} onPick={() => undefined} />));
    const chips = [...dom.host.querySelectorAll('[data-testid="run-state"]')].map((c) => c.textContent);
    expect(chips).toEqual(['interrupted', 'completed']);
    expect(dom.host.querySelectorAll('[data-testid="run-item"] .MuiLinearProgress-root')).toHaveLength(1);
  });
});

describe('stopping a run', () => {
  const stopWith = async (state: LiveRun['state'], choice: string | null) => {
    const asked: [string, unknown][] = [];
    await act(async () => dom.root.render(<StudioProvider api={createStudioApi(fakeStudio(asked))}><RunDetail run={run(state)} /></StudioProvider>));
    await act(async () => (testId('run-cancel') as HTMLButtonElement).click());
    if (choice) await act(async () => inPage(choice)?.click());
    return asked.filter(([c]) => c === 'training:cancel').map(([, r]) => r);
  };

  it('keeps what a live run learned by default, or discards it when asked', async () => {
    expect(inPage('run-cancel-keep')).toBeNull();
    expect(await stopWith('running', 'run-cancel-keep')).toEqual([{ runId: '4', keep: true }]);
    expect(await stopWith('paused', 'run-cancel-discard')).toEqual([{ runId: '4', keep: false }]);
  });

  it('offers an interrupted run (no training process to export it) only the discard', async () => {
    expect(await stopWith('interrupted', null)).toEqual([]);
    expect(inPage('run-cancel-keep')).toBeNull();
    expect(inPage('run-cancel-discard')).not.toBeNull();
  });
});
