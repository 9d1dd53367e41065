/**
 * Fuzz: the JSON readers (instance, plan, constraint) on mutated valid documents — values replaced
 * by random or hostile JSON, keys deleted or added (`__proto__` among them), huge numbers, deep
 * nesting. Never throws; every refusal names a JSON path; nothing leaks onto Object.prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { constraintFromJson, constraintToJson } from '../../src/catalogue/registry.js';
import { parseScript } from '../../src/dsl/index.js';
import { parseInstanceText } from '../../src/instance/json.js';
import { parsePlanText } from '../../src/plan/json.js';
import { SEED_JSON, SEED_PLAN_JSON, assertJsonPath, mutatedJson, mutatedText, params } from './support.js';

const seed = parseInstanceText(SEED_JSON);
if (!seed.ok) throw new Error(`examples/seed.json: ${seed.error.message}`);
const model = seed.value.model;

/** One script per constraint kind the seed model can express; each builds (20 constraints). */
const SCRIPTS = [
  'spread(VM[2..3]);',
  "preserve(VM1, 'cpu', 3);",
  'offline(@N4);',
  'online(@N1);',
  'root(VM2);',
  'ban(VM1, @N2);',
  'fence(VM3, @N[1..2]);',
  'among(VM[1..2], {@N[1..2], @N[3..4]});',
  'lonely(VM5);',
  'maxOnline(@N[1..4], 3);',
  "overbook(@N[1..4], 'cpu', 2);",
  'running(VM6);',
  'gather(VM[1..2]);',
  'split({VM[1..2], VM[3..4]});',
  'quarantine(@N1);',
  "resourceCapacity(@N[1..2], 'mem', 20000);",
  '>>spread(VM[4..5]);',
];
const CONSTRAINTS: Record<string, unknown>[] = SCRIPTS.flatMap((s) => {
  const r = parseScript(s, { model });
  return r.ok ? r.constraints.map(constraintToJson) : [];
});

const SEED_VALUE = JSON.parse(SEED_JSON) as Record<string, unknown>;
const SEED_WITH_CONSTRAINTS = { ...SEED_VALUE, constraints: CONSTRAINTS };
const PLAN_VALUE = JSON.parse(SEED_PLAN_JSON) as unknown;

function noPollution(): void {
  const proto = Object.prototype as Record<string, unknown>;
  if ('polluted' in proto || Object.keys(proto).length > 0) throw new Error('Object.prototype was polluted');
}

function checkInstance(text: string): void {
  const r = parseInstanceText(text);
  if (!r.ok) assertJsonPath(r.error.path, r.error.message);
  noPollution();
}

function checkPlanText(text: string): void {
  const r = parsePlanText(text);
  if (!r.ok) assertJsonPath(r.error.path, r.error.message);
  // a plan read is one a replay can honour: times are safe integers, ends after starts
  else for (const a of r.value.actions) if (!Number.isSafeInteger(a.start) || !Number.isSafeInteger(a.end) || a.end < a.start) throw new Error(`action read with times ${a.start}..${a.end}`);
  noPollution();
}

function checkConstraint(text: string): void {
  const raw = JSON.parse(text) as unknown;
  const r = constraintFromJson(raw, '$');
  if ('error' in r) assertJsonPath(r.path, r.error);
  else if (typeof r.id !== 'string') throw new Error('a constraint without an id');
  noPollution();
}

describe('fuzz: JSON readers', () => {
  it('the documents mutated are valid to begin with', () => {
    expect(CONSTRAINTS.length).toBe(20); // overbook builds one per node
    expect(parseInstanceText(JSON.stringify(SEED_WITH_CONSTRAINTS)).ok).toBe(true);
    expect(parsePlanText(SEED_PLAN_JSON).ok).toBe(true);
    for (const c of CONSTRAINTS) expect(constraintFromJson(c, '$')).not.toHaveProperty('error');
  });

  it('instance JSON, values mutated: never throws, every error has a JSON path', () => {
    fc.assert(fc.property(fc.oneof(mutatedJson(SEED_VALUE), mutatedJson(SEED_WITH_CONSTRAINTS)), checkInstance), params(600));
  });

  it('instance JSON, text mutated (broken syntax, control characters, huge numbers): never throws, errors located', () => {
    fc.assert(fc.property(mutatedText([SEED_JSON, JSON.stringify(SEED_WITH_CONSTRAINTS)]), checkInstance), params(400));
  });

  it('plan JSON, values mutated: never throws, every error has a JSON path', () => {
    fc.assert(fc.property(mutatedJson(PLAN_VALUE), checkPlanText), params(600));
  });

  it('plan JSON, text mutated: never throws, errors located', () => {
    fc.assert(fc.property(mutatedText([SEED_PLAN_JSON]), checkPlanText), params(300));
  });

  it('constraint JSON, values mutated: never throws, every error has a JSON path', () => {
    fc.assert(fc.property(fc.constantFrom(...CONSTRAINTS).chain((c) => mutatedJson(c, 3)), checkConstraint), params(1500));
  });
});
