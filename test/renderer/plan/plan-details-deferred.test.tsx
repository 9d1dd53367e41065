// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from './harness.js';

/**
 * The plan's details (timeline, steps, placement, curves) are drawn in a render of their own after
 * the summary and the comparison: a what-if's differences do not wait for them, and the previous
 * plan's details are never shown under the new plan's summary meanwhile.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

async function compute(): Promise<void> {
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
    await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'the plan is still computing');
  });
}

/** The summary's step count and the details' "Steps (n)" heading (null while not drawn), at every change of the screen while `work` runs. */
async function stepCountsShownDuring(container: HTMLElement, work: () => Promise<void>): Promise<(readonly [number | null, number | null])[]> {
  const seen: (readonly [number | null, number | null])[] = [];
  const record = (): void => {
    const summary = [...container.querySelectorAll('dt')].find((dt) => dt.textContent === 'Steps')?.nextElementSibling?.textContent;
    const heading = [...container.querySelectorAll('h2')].map((h2) => /^Steps \((\d+)\)$/.exec(h2.textContent ?? '')).find((m) => m !== null);
    seen.push([summary === undefined || summary === null ? null : Number(summary), heading ? Number(heading[1]) : null]);
  };
  const observer = new MutationObserver(record);
  observer.observe(container, { childList: true, subtree: true, characterData: true });
  try {
    await work();
  } finally {
    observer.disconnect();
  }
  record();
  return seen;
}

describe('Plan screen: details after the summary and the comparison', () => {
  it('a what-if shows its differences, then its own details, never the previous plan’s under its summary', async () => {
    await withDemoScript(h);
    const { container } = render(
      <StoreProvider store={h.store}>
        <PlanScreen />
      </StoreProvider>,
    );
    await compute();
    const previousSteps = h.store.getState().currentPlan?.result.plan?.actions.length ?? 0;
    expect(previousSteps).toBeGreaterThan(0);
    await act(async () => {
      await until(() => screen.queryByRole('region', { name: 'Timeline' }) !== null, 10_000, () => 'the first plan’s details are not shown');
    });
    // what-if: without the drain, nothing has to move
    const offline = h.store.getState().activeConstraints.find((c) => c.constraintId === 'offline');
    if (!offline) throw new Error('the demo script drains a host');
    act(() => h.store.getState().toggleConstraint(offline.line, false));
    const seen = await stepCountsShownDuring(container, async () => {
      await compute();
      act(() => {
        fireEvent.click(screen.getByRole('button', { name: 'Compare with previous' }));
      });
      expect(screen.getByRole('list', { name: 'Differences' })).toBeTruthy();
      await act(async () => {
        await until(() => screen.queryByRole('region', { name: 'Timeline' }) !== null, 10_000, () => 'the what-if’s details are not shown');
      });
    });
    const currentSteps = h.store.getState().currentPlan?.result.plan?.actions.length ?? -1;
    expect(currentSteps).toBeLessThan(previousSteps);
    // whenever details were drawn, they were the plan the summary above them shows
    for (const [summary, details] of seen) if (details !== null) expect(details).toBe(summary);
    expect(seen.some(([summary, details]) => summary === currentSteps && details === null)).toBe(true);
    expect(seen.at(-1)).toEqual([currentSteps, currentSteps]);
    expect(screen.getByRole('heading', { name: `Steps (${currentSteps})` })).toBeTruthy();
  });
});
