// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { freshStep } from '../../../src/executor/steps.js';
import type { Step } from '../../../src/executor/types.js';
import { Gantt } from '../../../renderer/screens/plan/Gantt.js';
import { PlanSteps } from '../../../renderer/screens/plan/PlanSteps.js';

/** A 590-step plan: only the rows in view in the step list, only the lanes in view in the Gantt. */

const HOSTS = Array.from({ length: 60 }, (_, i) => `h${i}`);
const STEPS: Step[] = Array.from({ length: 590 }, (_, i) =>
  freshStep({ id: `s${i + 1}`, action: { kind: 'migrateVM', vm: `vm${i}`, from: `h${i % 60}`, to: `h${(i + 7) % 60}` }, plannedStart: (i % 40) * 10, plannedEnd: (i % 40) * 10 + 30, dependsOn: i > 0 ? [`s${i}`] : [], memoryMiB: 4096 }),
);

afterEach(cleanup);

/**
 * jsdom lays nothing out: a scroller's content height (what bounds how far it scrolls) is given
 * here as a browser would compute it, from its content's explicit height.
 */
function scrollableContent(): void {
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      const inner = this.firstElementChild;
      return inner instanceof Element ? Number.parseFloat((inner as HTMLElement).style.height) || 0 : 0;
    },
  });
}
scrollableContent();

describe('a 590-step plan', () => {
  it('the step list renders a window of rows, and the selected step is scrolled into it', async () => {
    const { rerender } = render(<PlanSteps steps={STEPS} selected={null} onSelect={() => {}} />);
    const grid = screen.getByRole('grid', { name: 'Plan steps' });
    expect(grid.getAttribute('aria-rowcount')).toBe('590');
    const rows = within(grid).getAllByRole('row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(80);
    rerender(<PlanSteps steps={STEPS} selected="s400" onSelect={() => {}} />);
    // the list scrolls as a browser does: the rows follow the scroll event
    expect((await within(grid).findByRole('row', { name: /^s400: / })).getAttribute('aria-selected')).toBe('true');
    expect(within(grid).getAllByRole('row').length).toBeLessThan(80);
  });

  it('the Gantt draws only the lanes in view, their bars, and the selected step\'s dependencies', async () => {
    let selected: string | null = null;
    render(<Gantt steps={STEPS} hosts={HOSTS} selected="s300" onSelect={(id) => (selected = id)} />);
    const timeline = screen.getByRole('group', { name: 'Plan timeline' });
    const lanes = [...timeline.querySelectorAll('[data-lane]')].map((l) => l.getAttribute('data-lane'));
    expect(lanes.length).toBeGreaterThan(3);
    expect(lanes.length).toBeLessThan(60);
    const bars = [...timeline.querySelectorAll('[data-step-id]')];
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.length).toBeLessThan(590);
    // every bar drawn sits in a lane drawn: s<i> migrates to h<(i - 1 + 7) % 60>
    for (const bar of bars) {
      const i = Number(bar.getAttribute('data-step-id')?.slice(1));
      expect(lanes).toContain(`h${(i - 1 + 7) % 60}`);
    }
    // s300's lane (h6) is brought into view, with its neighbours in the chain
    await within(timeline).findByLabelText('Host h6');
    const links = () => [...timeline.querySelectorAll('[data-dependency]')].map((p) => p.getAttribute('data-dependency'));
    await waitFor(() => expect(links()).toEqual(['s299->s300', 's300->s301']));
    fireEvent.click(timeline.querySelector('[data-step-id="s300"]') as Element);
    expect(selected).toBe('s300');
  });
});
