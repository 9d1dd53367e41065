// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PlanResult } from '../../../src/solver/planner.js';
import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { DEMO_SCRIPT, type Harness, openHarness, until, withDemoScript } from './harness.js';

/** The Plan screen over the real services on the demo cluster: compute, see, cancel, run. */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

function show(): void {
  render(
    <StoreProvider store={h.store}>
      <PlanScreen />
    </StoreProvider>,
  );
}

async function computeDrain(): Promise<void> {
  await withDemoScript(h);
  show();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
    await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'the plan is still computing');
  });
}

describe('Plan screen', () => {
  it('computes a drain plan of r2-h3 and shows its summary, steps and timeline', async () => {
    await computeDrain();
    const state = h.store.getState();
    expect(state.planError).toBeNull();
    const plan = state.currentPlan;
    expect(plan?.result.plan).not.toBeNull();
    const summary = screen.getByRole('region', { name: 'Plan summary' });
    const migrations = plan?.result.migrations ?? 0;
    expect(migrations).toBeGreaterThan(0);
    expect(within(summary).getByText('Migrations').nextElementSibling?.textContent).toMatch(new RegExp(`^${migrations}\\b`));
    expect(within(summary).getByText(/proven optimal|of optimal|not proven optimal/)).toBeTruthy();
    expect(within(summary).getByText(plan?.constraintHash ?? 'none')).toBeTruthy();
    // every VM on r2-h3 leaves it: the after placement has nothing on it
    const after = screen.getByRole('region', { name: 'Placement after' });
    expect(within(after).getByLabelText(/^r2-h3: 0 VMs/)).toBeTruthy();
    // one bar per step, one lane per host (12 demo hosts)
    const timeline = screen.getByRole('group', { name: 'Plan timeline' });
    const actions = plan?.result.plan?.actions.length ?? 0;
    expect(timeline.querySelectorAll('[data-step-id]')).toHaveLength(actions);
    expect(timeline.querySelectorAll('[data-lane]')).toHaveLength(12);
    // resource use against the capacities planned with: the note says so when the script overbooks
    const usage = screen.getByRole('region', { name: 'Resource use over time' });
    expect(within(usage).queryByText("Capacities include the script's overbooking ratios.") !== null).toBe(/^\s*overbook\(/m.test(plan?.script ?? ''));
    const tightest = within(usage).getByRole('table', { name: 'Tightest instant per host' });
    const cpuCells = within(tightest).getAllByRole('row').slice(1).map((r) => r.querySelectorAll('td')[0]?.textContent ?? '');
    expect(cpuCells).toHaveLength(12);
    for (const cell of cpuCells) {
      const [used, capacity] = (/^(\d+) vCPU \/ (\d+) vCPU/.exec(cell) ?? []).slice(1).map(Number);
      expect(capacity, cell).toBeGreaterThan(0);
      expect(used, cell).toBeLessThanOrEqual(capacity as number);
    }
    // the step list shows each step (the demo plan is short: every row is in view)
    const rows = within(screen.getByRole('grid', { name: 'Plan steps' })).getAllByRole('row');
    expect(rows).toHaveLength(actions);
    expect(rows[0]?.getAttribute('aria-label')).toMatch(/^s1: /);
    // each migration off the drained host says why it is there
    const leaving = rows.filter((r) => / r2-h3 → /.test(r.getAttribute('aria-label') ?? ''));
    expect(leaving.length).toBeGreaterThan(0);
    for (const r of leaving) expect(r.textContent).toContain('r2-h3 goes offline: its VMs must leave it');
  });

  it('selecting a bar selects the step in the list and draws its dependencies', async () => {
    await computeDrain();
    const steps = h.store.getState().currentPlan?.result.stepIds ?? [];
    const timeline = screen.getByRole('group', { name: 'Plan timeline' });
    const target = steps.at(-1) as string;
    const bar = timeline.querySelector(`[data-step-id="${target}"]`);
    if (!bar) throw new Error(`no bar for ${target}`);
    act(() => {
      fireEvent.click(bar);
    });
    expect(h.store.getState().selectedStepId).toBe(target);
    expect(within(screen.getByRole('grid', { name: 'Plan steps' })).getByRole('row', { selected: true }).getAttribute('aria-label')).toMatch(new RegExp(`^${target}: `));
  });

  it('keeps the previous plan and spells out the differences with a constraint toggled off', async () => {
    await computeDrain();
    // what-if: without the drain, nothing has to move
    const offline = h.store.getState().activeConstraints.find((c) => c.constraintId === 'offline');
    if (!offline) throw new Error(`no offline constraint among ${JSON.stringify(h.store.getState().activeConstraints.map((c) => c.constraintId))}`);
    act(() => h.store.getState().toggleConstraint(offline.line, false));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
      await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'the second plan is still computing');
    });
    expect(h.store.getState().previousPlan?.result.migrations).toBeGreaterThan(0);
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Compare with previous' }));
    });
    const differences = screen.getByRole('list', { name: 'Differences' });
    expect(within(differences).getByText(/^migrations: \d+ → \d+ \(\d+ fewer\)$/)).toBeTruthy();
    expect(screen.getByRole('group', { name: `Current (without line ${offline.line})` })).toBeTruthy();
  });

  it('a hostile VM name is rendered as text in the Gantt, never as markup', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    await withDemoScript(h);
    const { snapshot, inventory } = h.store.getState();
    if (!snapshot || !inventory) throw new Error('no snapshot');
    // an instance file of the demo cluster where a VM of the drained host has a hostile name
    const model = inventory.model;
    const drained = [...model.mapping.nodes()].find((n) => model.nodeName(n) === 'r2-h3');
    const victim = [...model.mapping.runningVMs(drained ?? -1)].map((v) => model.vmName(v)).find((name) => !/^(web\d|db1)$/.test(name));
    if (victim === undefined) throw new Error('no VM to rename on r2-h3');
    const text = JSON.stringify(snapshot.instance).replaceAll(JSON.stringify(victim), JSON.stringify(hostile));
    expect(text).toContain('onerror');
    expect(h.store.getState().openInstanceText('hostile.json', text)).toBe(true);
    h.store.getState().setScript(DEMO_SCRIPT);
    show();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
      await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'still computing');
    });
    const timeline = screen.getByRole('group', { name: 'Plan timeline' });
    expect(timeline.querySelector('img')).toBeNull();
    expect(document.querySelector('img[src="x"]')).toBeNull();
    // the hostile VM leaves the drained host: its migration is a bar whose title is the name as text
    expect(h.store.getState().currentPlan?.result.plan?.actions.length).toBeGreaterThan(0);
    expect(timeline.textContent).toContain(hostile);
    // a plan of a file cannot run
    expect((screen.getByRole('button', { name: 'Start execution' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('Cancel stops a solve under way: the planning answers with what it has', async () => {
    h.close();
    const waitsForCancel = async (_instance: unknown, options: { signal?: { aborted: boolean } }): Promise<PlanResult> => {
      while (!options.signal?.aborted) await new Promise((r) => setTimeout(r, 10));
      return { status: 'unknown', objective: Number.NaN, lowerBound: Number.NaN, gap: Number.NaN, durationSeconds: Number.NaN, durationLowerBound: 0, migrations: Number.NaN, migrationsLowerBound: 0, memoryMovedMiB: Number.NaN, solveMs: 5, notes: ['cancelled by the operator'] };
    };
    h = openHarness({ planner: waitsForCancel as never, solveParts: null });
    await withDemoScript(h);
    show();
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
    });
    await act(async () => {
      await until(() => h.store.getState().planRequestId !== null, 5_000, () => 'not computing');
      await new Promise((r) => setTimeout(r, 100));
    });
    expect(screen.getByRole('status', { name: 'Planning progress' }).textContent).toMatch(/Planning… elapsed/);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
      await until(() => h.store.getState().planStatus !== 'computing', 5_000, () => 'the planning did not stop');
    });
    const summary = screen.getByRole('region', { name: 'Plan summary' });
    expect(within(summary).getByText('no plan found')).toBeTruthy();
    expect(within(summary).getByText('Migrations').nextElementSibling?.textContent).toBe('no plan');
  });
});
