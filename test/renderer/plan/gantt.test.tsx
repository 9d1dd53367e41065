// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { NamedAction } from '../../../src/cluster/ports.js';
import { freshStep } from '../../../src/executor/steps.js';
import type { Step } from '../../../src/executor/types.js';
import { Gantt } from '../../../renderer/screens/plan/Gantt.js';

/** The timeline as drawn: a migration reads from both of its lanes, names as text. */

afterEach(cleanup);

function step(id: string, action: NamedAction, start: number, end: number): Step {
  return freshStep({ id, action, plannedStart: start, plannedEnd: end, dependsOn: [], memoryMiB: 0 });
}

describe('Gantt', () => {
  it('labels a migration off a drained host in both lanes: where it goes, where it comes from', () => {
    const hostile = '<b>web1</b>';
    const steps = [step('s1', { kind: 'migrateVM', vm: hostile, from: 'h1', to: 'h2' }, 0, 30), step('s2', { kind: 'shutdownNode', node: 'h1' }, 30, 40)];
    render(<Gantt steps={steps} hosts={['h1', 'h2']} selected={null} onSelect={() => undefined} width={960} />);
    const timeline = screen.getByRole('group', { name: 'Plan timeline' });
    const twin = timeline.querySelector('[data-twin="s1"]');
    expect(twin?.querySelector('text')?.textContent).toBe(`${hostile} → h2`);
    const bar = timeline.querySelector('[data-step-id="s1"]')?.parentElement;
    expect(bar?.querySelector('text')?.textContent).toBe(`${hostile} ← h1`);
    // the name is text, never markup
    expect(timeline.querySelector('b')).toBeNull();
  });
});
