import { describe, expect, it } from 'vitest';

import { diffPlans, nextStepNumber } from '../../src/executor/index.js';
import type { Step, StepState } from '../../src/executor/index.js';
import { mig, run, shutdownNode, step } from './support.js';

const as = (s: Step, state: StepState): Step => ({ ...s, state });

describe('diffPlans', () => {
  const current = run([
    as(step('s1', mig('VM1', 'N1', 'N2')), 'succeeded'),
    as(step('s2', mig('VM2', 'N1', 'N3')), 'held'),
    step('s3', shutdownNode('N1'), ['s1', 's2']),
    step('s4', mig('VM4', 'N5', 'N6')),
  ]);

  it('matches unfinished steps by what they do; matched ones take the old id everywhere', () => {
    const first = nextStepNumber(current);
    expect(first).toBe(5);
    const proposed = [
      step('s5', mig('VM2', 'N4', 'N3')),
      step('s6', shutdownNode('N1'), ['s5']),
      step('s7', mig('VM4', 'N5', 'N6')),
      // the same action as the succeeded s1: finished steps are history, never matched
      step('s8', mig('VM1', 'N1', 'N2'), ['s7']),
    ];
    const { steps, diff } = diffPlans(current, proposed);
    expect(diff).toEqual({ kept: ['s3', 's4'], dropped: ['s2'], added: ['s5', 's8'] });
    expect(steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ['s5', []],
      ['s3', ['s5']],
      ['s4', []],
      ['s8', ['s4']],
    ]);
    expect(steps.every((s) => s.state === 'pending')).toBe(true);
  });

  it('matches as a multiset', () => {
    const twice = run([step('s1', mig('VM1', 'N1', 'N2')), step('s2', mig('VM1', 'N1', 'N2'))]);
    const { diff } = diffPlans(twice, [step('s3', mig('VM1', 'N1', 'N2')), step('s4', mig('VM1', 'N1', 'N2')), step('s5', mig('VM1', 'N1', 'N2'))]);
    expect(diff).toEqual({ kept: ['s1', 's2'], dropped: [], added: ['s5'] });
  });

  it('renumbers a new step whose id the run already uses', () => {
    const { steps, diff } = diffPlans(current, [step('s1', mig('VM9', 'N1', 'N2')), step('s2', mig('VM4', 'N5', 'N6'), ['s1'])]);
    expect(diff).toEqual({ kept: ['s4'], dropped: ['s2', 's3'], added: ['s5'] });
    expect(steps.map((s) => [s.id, s.dependsOn])).toEqual([
      ['s5', []],
      ['s4', ['s5']],
    ]);
  });

  it('an empty proposal drops every unfinished step', () => {
    expect(diffPlans(current, []).diff).toEqual({ kept: [], dropped: ['s2', 's3', 's4'], added: [] });
  });
});
