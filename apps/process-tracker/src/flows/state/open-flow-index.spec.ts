import type { FlowInstance } from '../flow-instance';
import { OpenFlowIndex } from './open-flow-index';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function flow(
  key: string,
  startSeconds: number,
  status: FlowInstance['status'],
  style: FlowInstance['style'] = 'choreography',
): FlowInstance {
  const at = new Date(t0 + startSeconds * 1000).toISOString();
  return {
    definition: 'order-fulfillment',
    key,
    style,
    events: [],
    duplicates: 0,
    status,
    startedAt: at,
    lastEventAt: at,
  };
}

const counts = (index: OpenFlowIndex) =>
  [...index.openCounts()].map(({ style, open, stalled }) => ({ style, open, stalled }));

describe('OpenFlowIndex', () => {
  it('hands out the open flows in order of start time, only once their deadline is past', () => {
    const index = new OpenFlowIndex();
    for (const [key, start] of [
      ['c', 30],
      ['a', 10],
      ['d', 40],
      ['b', 20],
    ] as const)
      index.track(key, undefined, flow(key, start, 'running'));
    expect(index.takeDue('order-fulfillment', t0 + 5_000)).toEqual([]);
    expect(index.takeDue('order-fulfillment', t0 + 25_000)).toEqual(['a', 'b']);
    expect(index.takeDue('order-fulfillment', t0 + 60_000)).toEqual(['c', 'd']);
    expect(index.takeDue('order-fulfillment', t0 + 60_000)).toEqual([]);
    expect(index.takeDue('another-flow', t0 + 60_000)).toEqual([]);
  });

  it('does not queue a flow again when it changes without its start moving, and queues a terminal or stalled one never', () => {
    const index = new OpenFlowIndex();
    index.track('a', undefined, flow('a', 10, 'running'));
    index.track('a', flow('a', 10, 'running'), flow('a', 10, 'compensating'));
    index.track('b', undefined, flow('b', 5, 'completed'));
    index.track('c', undefined, flow('c', 6, 'stalled'));
    expect(index.takeDue('order-fulfillment', t0 + 60_000)).toEqual(['a']);
  });

  it('queues a flow again when a late, earlier event moves its start', () => {
    const index = new OpenFlowIndex();
    index.track('a', undefined, flow('a', 50, 'running'));
    index.track('a', flow('a', 50, 'running'), flow('a', 5, 'running'));
    expect(index.takeDue('order-fulfillment', t0 + 10_000)).toEqual(['a']);
  });

  it('counts open and stalled flows per style through every change, deletion included', () => {
    const index = new OpenFlowIndex();
    index.track('a', undefined, flow('a', 1, 'running'));
    index.track('b', undefined, flow('b', 2, 'running', 'orchestration'));
    index.track('a', flow('a', 1, 'running'), flow('a', 1, 'stalled'));
    expect(counts(index)).toEqual([
      { style: 'choreography', open: 1, stalled: 1 },
      { style: 'orchestration', open: 1, stalled: 0 },
    ]);
    index.track('a', flow('a', 1, 'stalled'), flow('a', 1, 'completed'));
    index.track('b', flow('b', 2, 'running', 'orchestration'), undefined);
    expect(counts(index)).toEqual([
      { style: 'choreography', open: 0, stalled: 0 },
      { style: 'orchestration', open: 0, stalled: 0 },
    ]);
  });
});
