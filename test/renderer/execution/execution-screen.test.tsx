// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import ExecutionScreen from '../../../renderer/screens/execution/ExecutionScreen.js';
import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { type FerryStore, StoreProvider, createFerryStore } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from '../plan/harness.js';

/**
 * The Execution screen over the real services and the demo cluster (effects 50× faster): a plan
 * started from the Plan screen, approved step by step until "Plan succeeded"; pause, resume and
 * abort; a reload that finds the run again from the services alone.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

function show(store: FerryStore, screenElement: React.ReactNode): void {
  render(<StoreProvider store={store}>{screenElement}</StoreProvider>);
}

/** Computes the drain plan on the Plan screen and presses Start execution; then shows Execution. */
async function startDrain(): Promise<void> {
  await withDemoScript(h);
  show(h.store, <PlanScreen />);
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
    await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'still computing');
  });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Start execution' }));
    await until(() => h.store.getState().run?.state === 'running', 10_000, () => `run ${h.store.getState().run?.state ?? 'none'} (${h.store.getState().runError ?? ''})`);
  });
  expect(h.store.getState().route).toBe('execution');
  // the services hold that plan no more: it cannot be started twice
  expect((screen.getByRole('button', { name: 'Start execution' }) as HTMLButtonElement).disabled).toBe(true);
  cleanup();
  show(h.store, <ExecutionScreen />);
}

function status(): string {
  return screen.getByRole('status', { name: 'Run status' }).textContent ?? '';
}

/** Waits, letting React render the events as they come. */
async function waitFor(what: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  await act(async () => {
    await until(what, timeoutMs, describe);
  });
}

describe('Execution screen', () => {
  it('approves each step with its own Approve button until "Plan succeeded"', async () => {
    await startDrain();
    expect(status()).toBe('Plan running');
    const grid = screen.getByRole('grid', { name: 'Run steps' });
    const total = h.store.getState().run?.steps.length ?? 0;
    expect(within(grid).getAllByRole('row')).toHaveLength(total);
    for (let round = 0; round < total * 20 && h.store.getState().run?.state === 'running'; round++) {
      const next = h.store.getState().run?.steps.find((s) => s.state === 'awaiting-approval');
      if (next) {
        // "the Approve button of step sN": the row is named after its step, the button described by it
        const row = within(grid).getByRole('row', { name: new RegExp(`^${next.id}: `) });
        const approve = within(row).getByRole('button', { name: 'Approve' });
        expect(approve.getAttribute('aria-describedby')).toBe(`step-${next.id}-desc`);
        await act(async () => {
          fireEvent.click(approve);
          await until(() => h.store.getState().run?.steps.find((s) => s.id === next.id)?.state !== 'awaiting-approval', 5_000, () => `${next.id} still awaits approval`);
        });
      } else {
        await act(async () => {
          await new Promise((r) => setTimeout(r, 50));
        });
      }
    }
    await waitFor(() => h.store.getState().run?.state === 'succeeded', 30_000, () => `run is ${h.store.getState().run?.state}`);
    expect(status()).toBe('Plan succeeded');
    for (const s of h.store.getState().run?.steps ?? []) expect(s.state).toBe('succeeded');
    // the log of a step tells what happened to it
    const first = h.store.getState().run?.steps[0]?.id ?? 's1';
    act(() => {
      fireEvent.click(within(grid).getByRole('row', { name: new RegExp(`^${first}: `) }));
    });
    expect(within(screen.getByRole('list', { name: `Log of ${first}` })).getAllByRole('listitem').length).toBeGreaterThan(0);
  });

  it('the keyboard approves the focused next step with `a`', async () => {
    await startDrain();
    await waitFor(() => h.store.getState().run?.steps.some((s) => s.state === 'awaiting-approval') === true, 10_000, () => 'nothing awaits approval');
    const next = h.store.getState().run?.steps.find((s) => s.state === 'awaiting-approval');
    const row = screen.getByRole('row', { name: new RegExp(`^${next?.id}: `) });
    expect(document.activeElement).toBe(row);
    await act(async () => {
      fireEvent.keyDown(row, { key: 'a' });
      await until(() => h.store.getState().run?.steps.find((s) => s.id === next?.id)?.approved === true, 5_000, () => 'not approved');
    });
    expect(h.store.getState().run?.steps.find((s) => s.id === next?.id)?.approvedBy).toBe('alice@ws1');
  });

  it('pause, resume, then abort with its confirmation: "Plan cancelled"', async () => {
    await startDrain();
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    });
    await waitFor(() => h.store.getState().run?.state === 'paused', 5_000, () => 'not paused');
    expect(status()).toBe('Plan paused');
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    });
    await waitFor(() => h.store.getState().run?.state === 'running', 5_000, () => 'not resumed');
    expect(status()).toBe('Plan running');
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Approve all ready' }));
    });
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Abort' }));
    });
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByText(/will be cancelled and \d+ step\(s\) will not run/)).toBeTruthy();
    act(() => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Abort the run' }));
    });
    await waitFor(() => h.store.getState().run?.state === 'cancelled', 30_000, () => `run is ${h.store.getState().run?.state}`);
    expect(status()).toBe('Plan cancelled');
  });

  it('Skip asks for confirmation and says which steps depend on the skipped one', async () => {
    await startDrain();
    const run = h.store.getState().run;
    const withDependant = run?.steps.find((s) => run.steps.some((d) => d.dependsOn.includes(s.id)) && s.state !== 'running');
    const target = withDependant ?? run?.steps.find((s) => s.state !== 'running');
    if (!target) throw new Error('no step to skip');
    const row = screen.getByRole('row', { name: new RegExp(`^${target.id}: `) });
    act(() => {
      fireEvent.click(within(row).getByRole('button', { name: 'Skip' }));
    });
    const dialog = screen.getByRole('dialog');
    if (withDependant) expect(within(dialog).getByText(/step\(s\) depend on it .* and will never run/)).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: `Skip ${target.id}` }));
      await until(() => h.store.getState().run?.steps.find((s) => s.id === target.id)?.state === 'skipped', 5_000, () => 'not skipped');
    });
    expect(h.store.getState().run?.steps.find((s) => s.id === target.id)?.reason).toBe('skipped by the operator');
  });

  it('a reload finds the run again from the services alone', async () => {
    await startDrain();
    const runId = h.store.getState().run?.runId;
    cleanup();
    h.store.getState().forgetRun();
    // a new page: a new store over the same services
    const reloaded = createFerryStore(h.client);
    show(reloaded, <ExecutionScreen />);
    await waitFor(() => reloaded.getState().run !== null, 5_000, () => 'the run was not found');
    expect(reloaded.getState().run?.runId).toBe(runId);
    expect(status()).toBe('Plan running');
    reloaded.getState().forgetRun();
  });
});
