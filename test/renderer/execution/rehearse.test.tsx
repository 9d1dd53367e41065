// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import ExecutionScreen from '../../../renderer/screens/execution/ExecutionScreen.js';
import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from '../plan/harness.js';

/**
 * Rehearse: the plan shown runs on a simulated copy of the demo cluster with an injected fault
 * (run:rehearse), the real cluster untouched and the plan still available to run for real.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

describe('Rehearse', () => {
  it('runs the plan on a simulated copy with a failing migration; the failure offers its choices', async () => {
    await withDemoScript(h);
    render(
      <StoreProvider store={h.store}>
        <PlanScreen />
      </StoreProvider>,
    );
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
      await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'still computing');
    });
    const rehearsal = screen.getByRole('group', { name: 'Rehearsal' });
    act(() => {
      fireEvent.change(within(rehearsal).getByLabelText('Fault to inject'), { target: { value: 'fail-migration' } });
    });
    const vm = (within(rehearsal).getByLabelText('VM') as HTMLSelectElement).value;
    expect(vm).not.toBe('');
    await act(async () => {
      fireEvent.click(within(rehearsal).getByRole('button', { name: 'Rehearse' }));
      await until(() => h.store.getState().run !== null, 10_000, () => `no rehearsal run: ${JSON.stringify(h.store.getState().notifications)}`);
    });
    const run = h.store.getState().run;
    expect(run?.clusterId).toMatch(/^rehearsal:/);
    expect(run?.state).toBe('running');
    // the real cluster is not held by the rehearsal
    const clusters = await h.client.invoke('cluster:list', {});
    expect(clusters.ok && clusters.value.clusters.find((c) => c.clusterId === 'demo')?.heldBy).toBeNull();

    // approve everything: the migration of the chosen VM fails on the copy
    await h.store.getState().sendRunEvent({ type: 'set-mode', mode: 'unattended' });
    await until(() => h.store.getState().run?.steps.some((s) => s.state === 'failed') === true, 30_000, () => `no failure: ${h.store.getState().run?.steps.map((s) => s.state).join(',')}`);
    const failed = h.store.getState().run?.steps.find((s) => s.state === 'failed');
    expect(failed?.action).toMatchObject({ kind: 'migrateVM', vm });

    // on the Execution screen, the failed step offers the failure choices; skipping it goes on without it
    cleanup();
    render(
      <StoreProvider store={h.store}>
        <ExecutionScreen />
      </StoreProvider>,
    );
    act(() => {
      fireEvent.click(screen.getByRole('row', { name: new RegExp(`^${failed?.id}: .*, failed$`) }));
    });
    const choices = screen.getByRole('group', { name: 'After the failure' });
    expect(within(choices).getAllByRole('button').map((b) => b.textContent)).toEqual(['Retry', 'Skip it', 'Re-plan', 'Stop']);
    await act(async () => {
      fireEvent.click(within(choices).getByRole('button', { name: 'Skip it' }));
      await until(() => h.store.getState().run?.steps.find((s) => s.id === failed?.id)?.state === 'skipped', 5_000, () => 'the failed step was not skipped');
    });

    // the audit trail of the rehearsal comes from the journal
    const audit = await h.client.invoke('run:audit', { runId: run?.runId ?? '' });
    expect(audit.ok && audit.value.audit.length).toBeGreaterThan(0);
  });
});
