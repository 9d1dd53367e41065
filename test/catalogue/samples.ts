import type { Constraint } from '../../src/catalogue/constraint.js';
import type { ElementNames } from '../../src/catalogue/definition.js';

/** Names as the test models give them (VM<i>, N<i>). */
export const NAMES: ElementNames = { vm: (id) => `VM${id}`, node: (id) => `N${id}` };

export interface Sample {
  readonly constraint: Constraint;
  /** what `script.format` prints */
  readonly script: string;
  /** the coerced values `script.build` takes to give back `constraint` */
  readonly values: readonly unknown[];
}

const c = (id: string, continuous: boolean, args: Record<string, unknown>): Constraint => ({ id, continuous, args });

/** At least one sample per catalogue entry, in both modes where both exist. */
export const SAMPLES: Readonly<Record<string, readonly Sample[]>> = {
  among: [
    { constraint: c('among', false, { vms: [1, 2], parts: [[0, 1], [2]] }), script: '>>among({VM1, VM2}, {{@N0, @N1}, {@N2}})', values: [[1, 2], [[0, 1], [2]]] },
    { constraint: c('among', true, { vms: [3], parts: [[4]] }), script: 'among({VM3}, {{@N4}})', values: [[3], [[4]]] },
  ],
  ban: [
    { constraint: c('ban', false, { vm: 1, nodes: [0, 2] }), script: '>>ban(VM1, {@N0, @N2})', values: [1, [0, 2]] },
    { constraint: c('ban', true, { vm: 4, nodes: [3] }), script: 'ban(VM4, {@N3})', values: [4, [3]] },
  ],
  fence: [
    { constraint: c('fence', false, { vm: 1, nodes: [0] }), script: '>>fence(VM1, {@N0})', values: [1, [0]] },
    { constraint: c('fence', true, { vm: 2, nodes: [0, 1] }), script: 'fence(VM2, {@N0, @N1})', values: [2, [0, 1]] },
  ],
  gather: [
    { constraint: c('gather', false, { vms: [1, 2] }), script: '>>gather({VM1, VM2})', values: [[1, 2]] },
    { constraint: c('gather', true, { vms: [3, 4] }), script: 'gather({VM3, VM4})', values: [[3, 4]] },
  ],
  lonely: [
    { constraint: c('lonely', false, { vms: [1] }), script: '>>lonely({VM1})', values: [[1]] },
    { constraint: c('lonely', true, { vms: [1, 2] }), script: 'lonely({VM1, VM2})', values: [[1, 2]] },
  ],
  spread: [
    { constraint: c('spread', true, { vms: [1, 2, 3] }), script: 'spread({VM1, VM2, VM3})', values: [[1, 2, 3]] },
    { constraint: c('spread', false, { vms: [1, 2] }), script: '>>spread({VM1, VM2})', values: [[1, 2]] },
  ],
  split: [
    { constraint: c('split', false, { parts: [[1, 2], [3]] }), script: '>>split({{VM1, VM2}, {VM3}})', values: [[[1, 2], [3]]] },
    { constraint: c('split', true, { parts: [[1], [2]] }), script: 'split({{VM1}, {VM2}})', values: [[[1], [2]]] },
  ],
  splitAmong: [
    {
      constraint: c('splitAmong', false, { vParts: [[1], [2]], pParts: [[0], [1, 2]] }),
      script: '>>splitAmong({{VM1}, {VM2}}, {{@N0}, {@N1, @N2}})',
      values: [[[1], [2]], [[0], [1, 2]]],
    },
    { constraint: c('splitAmong', true, { vParts: [[1, 3]], pParts: [[0]] }), script: 'splitAmong({{VM1, VM3}}, {{@N0}})', values: [[[1, 3]], [[0]]] },
  ],
  quarantine: [{ constraint: c('quarantine', true, { node: 2 }), script: 'quarantine(@N2)', values: [2] }],
  root: [{ constraint: c('root', true, { vm: 5 }), script: 'root(VM5)', values: [5] }],
  online: [{ constraint: c('online', false, { node: 1 }), script: 'online(@N1)', values: [1] }],
  offline: [{ constraint: c('offline', false, { node: 0 }), script: 'offline(@N0)', values: [0] }],
  maxOnline: [
    { constraint: c('maxOnline', false, { nodes: [0, 1, 2], amount: 2 }), script: '>>maxOnline({@N0, @N1, @N2}, 2)', values: [[0, 1, 2], 2] },
    { constraint: c('maxOnline', true, { nodes: [3], amount: 0 }), script: 'maxOnline({@N3}, 0)', values: [[3], 0] },
  ],
  running: [{ constraint: c('running', false, { vm: 1 }), script: 'running(VM1)', values: [1] }],
  ready: [{ constraint: c('ready', false, { vm: 1 }), script: 'ready(VM1)', values: [1] }],
  sleeping: [{ constraint: c('sleeping', false, { vm: 2 }), script: 'sleeping(VM2)', values: [2] }],
  killed: [{ constraint: c('killed', false, { vm: 3 }), script: 'killed(VM3)', values: [3] }],
  seq: [{ constraint: c('seq', true, { vms: [3, 1, 2] }), script: 'seq({VM3, VM1, VM2})', values: [[3, 1, 2]] }],
  overbook: [
    { constraint: c('overbook', true, { node: 1, rc: 'cpu', ratio: 1.5 }), script: 'overbook(@N1, "cpu", 1.5)', values: [1, 'cpu', 1.5] },
    { constraint: c('overbook', false, { node: 0, rc: 'mem', ratio: 2 }), script: '>>overbook(@N0, "mem", 2)', values: [0, 'mem', 2] },
  ],
  preserve: [{ constraint: c('preserve', false, { vm: 1, rc: 'cpu', amount: 4 }), script: 'preserve(VM1, "cpu", 4)', values: [1, 'cpu', 4] }],
  resourceCapacity: [
    { constraint: c('resourceCapacity', false, { nodes: [0, 1], rc: 'cpu', amount: 6 }), script: '>>resourceCapacity({@N0, @N1}, "cpu", 6)', values: [[0, 1], 'cpu', 6] },
    { constraint: c('resourceCapacity', true, { nodes: [2], rc: 'mem', amount: 0 }), script: 'resourceCapacity({@N2}, "mem", 0)', values: [[2], 'mem', 0] },
  ],
  runningCapacity: [{ constraint: c('runningCapacity', false, { nodes: [0, 1], amount: 3 }), script: 'runningCapacity({@N0, @N1}, 3)', values: [[0, 1], 3] }],
  noDelay: [{ constraint: c('noDelay', false, { vm: 2 }), script: 'noDelay(VM2)', values: [2] }],
  Deadline: [{ constraint: c('Deadline', true, { vm: 1, timestamp: '+00:00:30' }), script: 'before(VM1, "+00:00:30")', values: [1, '+00:00:30'] }],
  Precedence: [{ constraint: c('Precedence', true, { vm1: 1, vm2: 2 }), script: 'before(VM1, VM2)', values: [[1], [2]] }],
  Serialize: [{ constraint: c('Serialize', true, { vms: [1, 2] }), script: 'serialize({VM1, VM2})', values: [[1, 2]] }],
  Sync: [{ constraint: c('Sync', true, { vms: [1, 2, 3] }), script: 'sync({VM1, VM2, VM3})', values: [[1, 2, 3]] }],
  maxMigrations: [{ constraint: c('maxMigrations', true, { vms: [1, 2, 3], amount: 1 }), script: 'maxMigrations({VM1, VM2, VM3}, 1)', values: [[1, 2, 3], 1] }],
};
