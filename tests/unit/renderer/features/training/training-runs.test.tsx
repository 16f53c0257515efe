// @vitest-environment happy-dom
/**
 * Training dashboard: a cancelled run keeps the losses it logged in the run list (a state event or
 * training:list without losses no longer blanks them to "no metrics yet"); a running item's
 * progress is a whole percent; the start-run dialog leaves batch and sample interval to the run.
 */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { createStudioApi, type StudioTransport } from '../../../../../preload/api';
import type { ModelSummary, Project } from '../../../../../preload/contract';
import { FINETUNE_DEFAULT_STEPS, requestChannels } from '../../../../../preload/contract';
import { applyProgress, applyRunState, fromList, type LiveRun } from '../../../../../renderer/features/training/api/run-state';
import { RunList } from '../../../../../renderer/features/training/components/run-list';
import { StartRunDialog } from '../../../../../renderer/features/training/components/start-run-dialog';
import { StudioProvider } from '../../../../../renderer/lib/use-studio';
import { useDomRoot } from '../../../../helpers/dom-root';

const dom = useDomRoot();

const run = (state: LiveRun['state'], step: number, lastLosses: Record<string, number> = {}): LiveRun => ({
  runId: '7', kind: 'fine-tune', state, name: 'me', baseModelId: '1', outputModelId: null, step, steps: 13,
  startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, lastLosses, error: null, stepsPerSec: null, etaSec: null,
});

const items = () => [...dom.host.querySelectorAll('[data-testid="run-item"]')];

describe('run list', () => {
  it('shows a cancelled run\'s last losses after a loss-less state event and list reload', async () => {
    let runs = [run('running', 0)];
    runs = applyProgress(runs, { runId: '7', kind: 'fine-tune', state: 'running', step: 8, steps: 13, losses: { G: 1.23456, D: 0.5 }, stepsPerSec: 1, etaSec: 5 });
    runs = applyRunState(runs, run('cancelled', 8));
    expect(runs[0]!.lastLosses).toEqual({ G: 1.23456, D: 0.5 });
    runs = fromList([run('cancelled', 8)], runs);
    await act(async () => dom.root.render(<RunList runs={runs} activeId={null} onPick={() => undefined} />));
    expect(items()[0]!.textContent).toContain('G 1.235');
    expect(items()[0]!.textContent).not.toContain('no metrics yet');
    // Losses a report does carry still replace the old ones; a run that never logged says so.
    expect(applyRunState(runs, run('cancelled', 8, { G: 2 }))[0]!.lastLosses).toEqual({ G: 2 });
    await act(async () => dom.root.render(<RunList runs={[run('cancelled', 0)]} activeId={null} onPick={() => undefined} />));
    expect(items()[0]!.textContent).toContain('no metrics yet');
  });

  it('gives a running run\'s progress as a whole percent', async () => {
    await act(async () => dom.root.render(<RunList runs={[run('running', 8)]} activeId={null} onPick={() => undefined} />));
    const bar = items()[0]!.querySelector('[role="progressbar"]');
    // 8/13 = 61.538...%
    expect(bar?.getAttribute('aria-valuenow')).toBe('61');
  });
});

describe('start-run dialog', () => {
  it('sends no batchSize or sampleEvery, so the run\'s own defaults apply', async () => {
    const asked: [string, unknown][] = [];
    const transport: StudioTransport = {
      invoke: async (channel, request) => {
        asked.push([channel, request]);
        return channel === 'training:start' ? { ok: true, value: { runId: '9' } } : { ok: false, error: { code: 'not-found', message: 'none' } };
      },
      subscribe: () => () => undefined,
    };
    const model: ModelSummary = {
      id: 'm1', name: 'base', kind: 'cyclegan', origin: 'shipped', parentId: null, lineage: [], createdAt: '2026-01-01T00:00:00.000Z',
      ageRange: [10, 80], resolution: 128, trainingSteps: 1000, metrics: {},
    };
    const project: Project = { id: 'p1', name: 'me', createdAt: '2026-01-01T00:00:00.000Z', photoCount: 5 };
    let started = '';
    await act(async () =>
      dom.root.render(
        <StudioProvider api={createStudioApi(transport)}>
          <StartRunDialog open onClose={() => undefined} onStarted={(id) => (started = id)} models={[model]} projects={[project]} tags={[]} />
        </StudioProvider>,
      ),
    );
    const button = document.querySelector('[data-testid="run-start"]') as HTMLButtonElement;
    await act(async () => button.click());
    expect(started).toBe('9');
    const sent = asked.find(([c]) => c === 'training:start')?.[1] as Record<string, unknown>;
    // Steps left alone: the kind's default, which fits the CPU budget.
    expect(sent).toMatchObject({ kind: 'cyclegan', baseModelId: 'm1', steps: FINETUNE_DEFAULT_STEPS.cyclegan, selection: { by: 'project', projectId: 'p1' } });
    const parsed = requestChannels['training:start'].request.parse(sent);
    expect(parsed.batchSize).toBeUndefined();
    expect(parsed.sampleEvery).toBeUndefined();
  });
});
