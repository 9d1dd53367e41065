// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import HistoryScreen from '../../../renderer/screens/history/HistoryScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from '../plan/harness.js';

/**
 * History's past plans over the real services: a plan computed and never started is listed, its
 * summary shown, and it opens again in the Plan screen; a run shows the plan it ran.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

/** Reloads History until the journal lists `count` plans (they are kept just after plan:compute answers). */
async function historyWithPlans(count: number): Promise<void> {
  await until(
    () => {
      void h.store.getState().loadHistory();
      return h.store.getState().pastPlans.length >= count;
    },
    10_000,
    () => `${h.store.getState().pastPlans.length} past plans`,
  );
  await until(() => h.store.getState().historyStatus === 'ready', 5_000, () => 'history not loaded');
}

describe('History: past plans', () => {
  it('lists a plan computed and never started, shows its summary, and reopens it in the Plan screen', async () => {
    await withDemoScript(h);
    await h.store.getState().computePlan();
    const computed = h.store.getState().currentPlan;
    if (!computed || computed.result.plan === null) throw new Error(`no plan: ${h.store.getState().planError ?? ''}`);
    // another plan replaces it on screen: only History still has the first
    await h.store.getState().computePlan();
    h.store.getState().navigate('history');

    render(
      <StoreProvider store={h.store}>
        <HistoryScreen />
      </StoreProvider>,
    );
    await act(() => historyWithPlans(2));
    const table = screen.getByRole('table', { name: 'Past plans' });
    expect(within(table).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Computed', 'Source', 'Status', 'Migrations', 'Duration', 'Optimal/gap', 'Constraints']);
    const past = h.store.getState().pastPlans.find((p) => p.requestId === computed.requestId);
    if (!past) throw new Error('the first plan is listed');
    const row = within(table).getByRole('button', { name: `Plan ${past.planId}` }).closest('tr');
    expect(row?.textContent).toContain('demo');
    expect(row?.textContent).toContain(String(computed.result.migrations));
    expect(row?.textContent).toContain(computed.constraintHash.slice(7, 19));
    // "Past plans" comes before "Past runs"
    const runs = screen.queryByRole('table', { name: 'Past runs' }) ?? screen.getByText(/No run yet/);
    expect(table.compareDocumentPosition(runs) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    await act(async () => {
      fireEvent.click(within(table).getByRole('button', { name: `Plan ${past.planId}` }));
      await until(() => h.store.getState().pastPlan !== null, 5_000, () => 'no plan detail');
    });
    const details = screen.getByRole('region', { name: `Plan ${past.planId}` });
    expect(details.textContent).toContain(computed.constraintHash);
    expect(details.textContent).toContain('never run');

    await act(async () => {
      fireEvent.click(within(details).getByRole('button', { name: 'Open in Plan' }));
      await until(() => h.store.getState().route === 'plan', 5_000, () => `route ${h.store.getState().route}`);
    });
    const reopened = h.store.getState().currentPlan;
    expect(reopened?.requestId).toBe(computed.requestId);
    expect(reopened?.constraintHash).toBe(computed.constraintHash);
    expect(reopened?.result.plan?.actions).toEqual(computed.result.plan.actions);
    expect(reopened?.result.stepIds).toEqual(computed.result.stepIds);
    expect(reopened?.result.plan?.origin).toEqual(computed.result.plan.origin);
    expect(h.store.getState().planStatus).toBe('done');
  }, 60_000);

  it('a run shows the plan it ran', async () => {
    await withDemoScript(h);
    await h.store.getState().computePlan();
    const runId = await h.store.getState().startExecution();
    if (runId === null) throw new Error(`no run: ${JSON.stringify(h.store.getState().notifications)}`);
    await h.store.getState().abortRun('not tonight');
    await until(() => h.store.getState().run?.state === 'cancelled', 30_000, () => `run is ${h.store.getState().run?.state}`);

    render(
      <StoreProvider store={h.store}>
        <HistoryScreen />
      </StoreProvider>,
    );
    await act(async () => {
      await historyWithPlans(1);
      await until(
        () => {
          void h.store.getState().loadHistory();
          return h.store.getState().pastPlans[0]?.runIds.includes(runId) === true;
        },
        10_000,
        () => 'the run is not linked to its plan',
      );
    });
    const runs = screen.getByRole('table', { name: 'Past runs' });
    const row = within(runs).getByRole('button', { name: `Run ${runId}` }).closest('tr');
    expect(row?.textContent).toMatch(/computed /);
  }, 60_000);

  it('a what-if on a file is listed under the file\'s name, and reopens as a plan of a file', async () => {
    const snapshot = await h.client.invoke('cluster:snapshot', { clusterId: 'demo' });
    if (!snapshot.ok) throw new Error(snapshot.error.message);
    const s = h.store.getState;
    expect(s().openInstanceText('what-if <b>.json', JSON.stringify(snapshot.value.instance))).toBe(true);
    s().setScript('root(db1);');
    await s().computePlan();
    expect(s().currentPlan).not.toBeNull();
    await historyWithPlans(1);
    const [past] = s().pastPlans;
    expect(past?.source).toEqual({ kind: 'file', name: 'what-if <b>.json' });
    expect(await s().openPastPlan(past?.planId ?? '')).toBe(true);
    expect(s().currentPlan?.clusterId).toBeNull();
  }, 60_000);

  it('an unknown plan is refused in the services\' words', async () => {
    await h.store.getState().selectPastPlan('p-nowhere');
    expect(h.store.getState().pastPlanError).toMatch(/no plan p-nowhere/);
    expect(await h.store.getState().openPastPlan('p-nowhere')).toBe(false);
    expect(h.store.getState().notifications.at(-1)?.title).toBe('The plan cannot be shown');
  });
});
