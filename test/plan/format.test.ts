import { describe, expect, it } from 'vitest';

import { Model } from '../../src/model/index.js';
import type { Action } from '../../src/plan/actions.js';
import { formatBtrPlace, formatInterval, formatPlan, formatTime } from '../../src/plan/format.js';
import { buildModel } from './support.js';

describe('formatTime', () => {
  it("prints m'ss, then h:mm'ss past 59'59", () => {
    expect(formatTime(0)).toBe("0'00");
    expect(formatTime(2)).toBe("0'02");
    expect(formatTime(65)).toBe("1'05");
    expect(formatTime(725)).toBe("12'05");
    expect(formatTime(3599)).toBe("59'59");
    expect(formatTime(3600)).toBe("1:00'00");
    expect(formatTime(3723)).toBe("1:02'03");
    expect(formatTime(36000 + 59)).toBe("10:00'59");
    expect(formatInterval(3, 3)).toBe("0'03");
    expect(formatInterval(3, 5)).toBe("0'03 to 0'05");
  });
});

describe('formatPlan (the seed format)', () => {
  it('prints the seed plan with names, sorted by start then end', () => {
    const origin = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [], N4: [] }, rc: { cpu: { cap: 8, cons: 1 } } });
    const actions: Action[] = [
      { kind: 'allocate', vm: 1, node: 1, rc: 'cpu', amount: 3, start: 5, end: 6 },
      { kind: 'shutdownNode', node: 4, start: 4, end: 8 },
      { kind: 'migrateVM', vm: 2, from: 1, to: 2, start: 0, end: 2 },
    ];
    expect(formatPlan({ origin, actions })).toBe(["0'00 to 0'02: relocate(VM2,N2)", "0'04 to 0'08: shutdown(N4)", "0'05 to 0'06: allocate(VM1,'cpu',3)"].join('\n'));
  });

  it('has one verb per action, hooks after the action, labels for unnamed elements', () => {
    const origin = buildModel({ on: { N1: ['VM1'], N2: [] }, off: ['N3'] });
    const actions: Action[] = [
      { kind: 'bootVM', vm: 3, node: 2, start: 1, end: 3, hooks: { pre: [{ kind: 'substitutedVM', vm: 1, newVm: 7 }], post: [] } },
      { kind: 'shutdownVM', vm: 1, node: 1, start: 1, end: 2 },
      { kind: 'suspendVM', vm: 1, from: 1, to: 1, start: 0, end: 1 },
      { kind: 'resumeVM', vm: 1, from: 1, to: 2, start: 2, end: 3, hooks: { pre: [{ kind: 'allocateEvent', vm: 1, rc: 'mem', amount: 4 }], post: [] } },
      { kind: 'killVM', vm: 1, node: 1, start: 4, end: 5 },
      { kind: 'forgeVM', vm: 3, start: 0, end: 1 },
      { kind: 'bootNode', node: 3, start: 3700, end: 3725 },
      { kind: 'migrateVM', vm: 1, from: 1, to: 9, start: 6, end: 8, hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: 1, rc: "it's", amount: 2 }] } },
    ];
    expect(formatPlan({ origin, actions }).split('\n')).toEqual([
      "0'00 to 0'01: forge(vm#3)",
      "0'00 to 0'01: suspend(VM1)",
      "0'01 to 0'02: shutdown(VM1)",
      "0'01 to 0'03: boot(vm#3,N2) [pre: substitute(VM1,vm#7)]",
      "0'02 to 0'03: resume(VM1,N2) [pre: allocate(VM1,'mem',4)]",
      "0'04 to 0'05: kill(VM1)",
      "0'06 to 0'08: relocate(VM1,node#9) [post: allocate(VM1,'it\\'s',2)]",
      "1:01'40 to 1:02'05: boot(N3)",
    ]);
  });

  it('prints the same text whatever the action order', () => {
    const origin = buildModel({ on: { N1: ['VM1', 'VM2'], N2: [] } });
    const a: Action = { kind: 'migrateVM', vm: 1, from: 1, to: 2, start: 0, end: 2 };
    const b: Action = { kind: 'migrateVM', vm: 2, from: 1, to: 2, start: 0, end: 2 };
    expect(formatPlan({ origin, actions: [a, b] })).toBe(formatPlan({ origin, actions: [b, a] }));
    expect(formatPlan({ origin, actions: [] })).toBe('');
  });
});

describe('formatBtrPlace (DefaultReconfigurationPlan.toString)', () => {
  it("prints BtrPlace's lines", () => {
    const origin = new Model();
    const actions: Action[] = [
      { kind: 'shutdownVM', vm: 3, node: 2, start: 1, end: 2 },
      { kind: 'migrateVM', vm: 0, from: 0, to: 1, start: 0, end: 1, hooks: { pre: [], post: [{ kind: 'allocateEvent', vm: 0, rc: 'cpu', amount: 3 }] } },
      { kind: 'migrateVM', vm: 2, from: 0, to: 1, start: 0, end: 1 },
      { kind: 'bootVM', vm: 4, node: 1, start: 2, end: 3, hooks: { pre: [{ kind: 'substitutedVM', vm: 5, newVm: 4 }], post: [] } },
      { kind: 'killVM', vm: 6, node: null, start: 3, end: 4 },
      { kind: 'allocate', vm: 1, node: 0, rc: 'mem', amount: 7, start: 4, end: 4 },
      { kind: 'bootNode', node: 3, start: 0, end: 5 },
      { kind: 'shutdownNode', node: 2, start: 2, end: 6 },
      { kind: 'suspendVM', vm: 7, from: 1, to: 1, start: 1, end: 3 },
      { kind: 'resumeVM', vm: 8, from: 1, to: 0, start: 1, end: 3 },
      { kind: 'forgeVM', vm: 9, start: 0, end: 2 },
      { kind: 'migrateVM', vm: 10, from: 0, to: 1, start: 5, end: 7, bw: 0 },
    ];
    expect(formatBtrPlace({ origin, actions }).split('\n')).toEqual([
      '0:1 {action=migrate(vm=vm#0, from=node#0, to=node#1, bw=2147483647), @post= {allocate(vm=vm#0, rc=cpu, amount=3)}}',
      '0:1 {action=migrate(vm=vm#2, from=node#0, to=node#1, bw=2147483647)}',
      '0:2 {action=forge(vm=vm#9)}',
      '0:5 {action=boot(node=node#3)}',
      '1:2 {action=shutdown(vm=vm#3, on=node#2)}',
      '1:3 {action=suspend(vm=vm#7, from=node#1, to=node#1)}',
      '1:3 {action=resume(vm=vm#8, from=node#1, to=node#0)}',
      '2:3 {action=boot(vm=vm#4, on=node#1), @pre= {substitutedVM(vm=vm#5, newVm=vm#4)}}',
      '2:6 {action=shutdown(node=node#2)}',
      '3:4 {action=killVM(vm=vm#6, node=null)}',
      '4:4 {action=allocate(vm=vm#1, on=node#0, rc=mem, amount=7)}',
      '5:7 {action=migrate(vm=vm#10, from=node#0, to=node#1)}',
    ]);
  });
});
