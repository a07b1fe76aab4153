// Incremental evaluation against the full one: random event sets of the shipped definition, applied
// one delivery at a time in random order with duplicates and replays, must give at every point the
// status, steps and end time that evaluateFlow computes from the set of distinct events seen.
import type { FlowDefinition } from '@flowscope/contracts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { evaluateFlow } from '../evaluation/evaluate-flow';
import type { FlowInstance, TrackedEvent } from '../flow-instance';
import { FlowState } from './flow-state';

const def = parse(
  readFileSync(path.join(__dirname, '../../../flows/order-fulfillment.yaml'), 'utf8'),
) as FlowDefinition;
const types = [...new Set(def.steps.flatMap((s) => [...s.done, ...(s.failed ?? []), ...(s.compensatedBy ?? [])]))];
const t0 = Date.parse('2026-01-01T00:00:00Z');

/** A seeded generator (a failing case replays from its seed). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function randomFlow(next: () => number): TrackedEvent[] {
  const events: TrackedEvent[] = [];
  const count = 1 + Math.floor(next() * 9);
  for (let i = 0; i < count; i++) {
    const type = types[Math.floor(next() * types.length)];
    // Few distinct instants, so ties (events at one time) are common.
    const at = new Date(t0 + Math.floor(next() * 6) * 1000).toISOString();
    events.push({ id: `e-${i}`, type, at });
  }
  // Duplicates: the same id again (same type and time, as a re-publication carries).
  const dupes = Math.floor(next() * 3);
  for (let i = 0; i < dupes; i++) events.push({ ...events[Math.floor(next() * events.length)] });
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  return events.map((e, i) => ({ ...e, seq: 100 + i }));
}

describe('FlowState (incremental evaluation)', () => {
  it('agrees with the full evaluation after every delivery, over 5,000 random flows', () => {
    const mismatches: unknown[] = [];
    for (let seed = 1; seed <= 5000 && mismatches.length < 5; seed++) {
      const next = random(seed);
      const deliveries = randomFlow(next);
      // Before the SLA for most seeds, after it for some: `stalled` comes from the clock.
      const now = new Date(t0 + (seed % 7 === 0 ? def.timeoutMs + 10_000 : 8_000));
      const flow = FlowState.create(def.name, `k-${seed}`);
      const distinct = new Map<string, TrackedEvent>();
      let duplicates = 0;
      for (const delivery of deliveries) {
        flow.apply(def, delivery, undefined, now);
        if (distinct.has(delivery.id)) duplicates++;
        else distinct.set(delivery.id, delivery);
        const full = evaluateFlow(def, [...distinct.values()], now);
        const mine = flow.evaluate(def, now);
        if (
          JSON.stringify(mine) !== JSON.stringify(full) ||
          flow.status !== full.status ||
          flow.endedAt !== full.endedAt ||
          flow.duplicates !== duplicates
        )
          mismatches.push({ seed, after: delivery, mine, full, status: flow.status });
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('does not count a replayed delivery (at or below the last sequence applied) again', () => {
    const flow = FlowState.create(def.name, 'o-1');
    const now = new Date(t0 + 5000);
    const placed = { id: 'a', type: 'order.placed', at: new Date(t0).toISOString(), seq: 10 };
    expect(flow.apply(def, placed, undefined, now)).toBe('accepted');
    expect(flow.apply(def, { ...placed, seq: 11 }, undefined, now)).toBe('duplicate');
    expect(flow.apply(def, { ...placed, seq: 11 }, undefined, now)).toBe('replayed');
    expect(flow.apply(def, placed, undefined, now)).toBe('replayed');
    expect(flow.duplicates).toBe(1);
    expect(flow.events).toHaveLength(1);
  });

  it('tells an id from another that starts alike or needs escaping (the compact event store)', () => {
    const flow = FlowState.create(def.name, 'o-4');
    const now = new Date(t0 + 5000);
    const at = new Date(t0).toISOString();
    const ids = ['e-1', 'e-10', 'e-1,', 'a"b', 'a\\"b', '{"id":"e-1",'];
    ids.forEach((id, i) =>
      expect(flow.apply(def, { id, type: 'order.placed', at, seq: i + 1 }, undefined, now)).toBe('accepted'),
    );
    ids.forEach((id, i) =>
      expect(flow.apply(def, { id, type: 'order.placed', at, seq: 20 + i }, undefined, now)).toBe('duplicate'),
    );
    expect(flow.events.map((e) => e.id)).toEqual(ids);
    expect(flow.duplicates).toBe(ids.length);
    expect(JSON.parse(flow.serialize())).toEqual(flow.toJSON());
  });

  it('survives its stored shape: restore(toJSON()) evaluates and replays alike', () => {
    const next = random(99);
    const now = new Date(t0 + 8000);
    const flow = FlowState.create(def.name, 'o-2');
    const deliveries = randomFlow(next);
    for (const d of deliveries) flow.apply(def, d, 'orchestration', now);
    const back = FlowState.restore(JSON.parse(JSON.stringify(flow.toJSON())) as FlowInstance);
    expect(back.evaluate(def, now)).toEqual(flow.evaluate(def, now));
    expect(back.toJSON()).toEqual(flow.toJSON());
    expect(back.apply(def, deliveries[0], undefined, now)).toBe('replayed');
  });

  it('tells late and out-of-order events apart, and remembers a stall', () => {
    const flow = FlowState.create(def.name, 'o-3');
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const late = new Date(t0 + def.timeoutMs + 5000);
    const soon = new Date(t0 + 3000);
    expect(flow.apply(def, { id: '1', type: 'payment.authorized', at: at(2), seq: 1 }, undefined, soon)).toBe(
      'accepted',
    );
    expect(flow.status).toBe('running');
    expect(flow.markStalled(def, late)).toBe(true);
    expect(flow.markStalled(def, late)).toBe(false);
    expect(flow.apply(def, { id: '2', type: 'order.placed', at: at(1), seq: 2 }, undefined, late)).toBe('out_of_order');
    expect(flow.apply(def, { id: '3', type: 'payment.declined', at: at(3), seq: 3 }, undefined, late)).toBe('accepted');
    expect(flow.apply(def, { id: '4', type: 'order.cancelled', at: at(4), seq: 4 }, undefined, late)).toBe('late');
    expect(flow.wasStalled).toBe(true);
    expect(flow.startedAt).toBe(at(1));
  });
});
