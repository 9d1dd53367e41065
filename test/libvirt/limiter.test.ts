import { describe, expect, it } from 'vitest';

import { Limiter } from '../../main/node/libvirt/limiter.js';

describe('Limiter', () => {
  it('never runs more than its limit, even when newcomers arrive as a slot is handed over', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number, ms: number) => async (): Promise<number> => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, ms));
      active--;
      order.push(i);
      return i;
    };
    const first = Array.from({ length: 10 }, (_, i) => limiter.run(task(i, 5 + (i % 3) * 5)));
    // newcomers while the first wave finishes
    await new Promise((r) => setTimeout(r, 7));
    const second = Array.from({ length: 10 }, (_, i) => limiter.run(task(100 + i, 1)));
    expect(await Promise.all([...first, ...second])).toEqual([...Array.from({ length: 10 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100 + i)]);
    expect(peak).toBe(3);
    expect(limiter.highWater).toBe(3);
    expect(order).toHaveLength(20);
  });

  it('frees the slot of a task that throws', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses a limit below 1', () => {
    expect(() => new Limiter(0)).toThrow(/whole number ≥ 1/);
  });
});
