// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import PlanScreen from '../../../renderer/screens/plan/PlanScreen.js';
import { StoreProvider } from '../../../renderer/store/index.js';
import { type Harness, openHarness, until, withDemoScript } from './harness.js';

/**
 * "No plan" on the Plan screen, over the real services on the demo cluster: the explanation's
 * constraints link to the script lines that state them, and a cluster that lacks capacity says so.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => {
  cleanup();
  h.close();
});

async function computeWith(script: string, loadDemo = true): Promise<HTMLElement> {
  if (loadDemo) await withDemoScript(h, script);
  else h.store.getState().setScript(script);
  render(
    <StoreProvider store={h.store}>
      <PlanScreen />
    </StoreProvider>,
  );
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Compute plan' }));
    await until(() => h.store.getState().planStatus !== 'computing', 30_000, () => 'the plan is still computing');
  });
  expect(h.store.getState().currentPlan?.result.status).toBe('infeasible');
  return screen.getByRole('region', { name: 'Why there is no plan' });
}

describe('the explanation of an infeasible set', () => {
  it('links the drain of two racks to its line, and only it; the link opens the editor there', async () => {
    const why = await computeWith('// two racks down: the third cannot hold their memory\nspread({web1, web2, web3});\n\noffline(@r1-h[1..4] + @r2-h[1..4]);\n');
    const lists = within(why).getAllByRole('list', { name: 'Conflicting constraints' });
    const links = lists.flatMap((l) => within(l).getAllByRole('button'));
    expect(links.map((b) => b.textContent)).toEqual(['offline({r1-h[1..4], r2-h[1..4]}) — line 4']);
    // memory in operator units, never raw MiB
    expect(why.textContent).toMatch(/need \d+(\.\d)? TiB in total/);
    act(() => {
      fireEvent.click(links[0] as HTMLElement);
    });
    expect(h.store.getState().focusRequest?.line).toBe(4);
    expect(h.store.getState().route).toBe('constraints');
  });

  it('a VM too large for any node even with every node online: no constraint involved, the cluster lacks capacity', async () => {
    await withDemoScript(h);
    const snapshot = h.store.getState().snapshot;
    if (!snapshot) throw new Error('no snapshot');
    // an instance file of the demo cluster where the first VM needs 2 TiB of memory: no node has it
    const instance = structuredClone(snapshot.instance) as unknown as { model: { views: { rcId?: string; vms?: Record<string, number> }[] } };
    const mem = instance.model.views.find((v) => v.rcId === 'mem');
    if (!mem?.vms) throw new Error('no memory view');
    mem.vms['0'] = 2 * 1024 * 1024;
    expect(h.store.getState().openInstanceText('too-big.json', JSON.stringify(instance))).toBe(true);
    // the spread takes no part in it
    const why = await computeWith('spread({web1, web2});\n', false);
    expect(within(why).getByRole('list', { name: 'Conflicting constraints' }).textContent).toBe('No constraint involved: the cluster lacks capacity');
    expect(within(why).queryAllByRole('button')).toHaveLength(0);
    expect(why.textContent).toContain('mem 2.0 TiB');
  });
});
