// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { freshStep } from '../../../src/executor/steps.js';
import type { Step } from '../../../src/executor/types.js';
import { Gantt } from '../../../renderer/screens/plan/Gantt.js';
import { PlanSteps } from '../../../renderer/screens/plan/PlanSteps.js';

/** A 590-step plan: every bar in the Gantt, but only the rows in view in the step list. */

const HOSTS = Array.from({ length: 60 }, (_, i) => `h${i}`);
const STEPS: Step[] = Array.from({ length: 590 }, (_, i) =>
  freshStep({ id: `s${i + 1}`, action: { kind: 'migrateVM', vm: `vm${i}`, from: `h${i % 60}`, to: `h${(i + 7) % 60}` }, plannedStart: (i % 40) * 10, plannedEnd: (i % 40) * 10 + 30, dependsOn: i > 0 ? [`s${i}`] : [], memoryMiB: 4096 }),
);

afterEach(cleanup);

describe('a 590-step plan', () => {
  it('the step list renders a window of rows, and the selected step is scrolled into it', () => {
    const { rerender } = render(<PlanSteps steps={STEPS} selected={null} onSelect={() => {}} />);
    const grid = screen.getByRole('grid', { name: 'Plan steps' });
    expect(grid.getAttribute('aria-rowcount')).toBe('590');
    const rows = within(grid).getAllByRole('row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(80);
    rerender(<PlanSteps steps={STEPS} selected="s400" onSelect={() => {}} />);
    expect(within(grid).getByRole('row', { name: /^s400: / }).getAttribute('aria-selected')).toBe('true');
  });

  it('the Gantt draws every step once, a lane per host, and a selected step\'s dependencies', () => {
    let selected: string | null = null;
    render(<Gantt steps={STEPS} hosts={HOSTS} selected="s300" onSelect={(id) => (selected = id)} />);
    const svg = screen.getByRole('group', { name: 'Plan timeline' });
    expect(svg.querySelectorAll('[data-step-id]')).toHaveLength(590);
    expect(svg.querySelectorAll('[data-lane]')).toHaveLength(60);
    expect([...svg.querySelectorAll('[data-dependency]')].map((p) => p.getAttribute('data-dependency'))).toEqual(['s299->s300', 's300->s301']);
    fireEvent.click(svg.querySelector('[data-step-id="s12"]') as Element);
    expect(selected).toBe('s12');
  });
});
