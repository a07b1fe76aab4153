import type { FlowDefinition } from '@flowscope/contracts';
import type { StepView } from '../flows/evaluation/evaluate-flow';
import { eventNotes, failedStepOf, pendingStepOf, waitingSinceOf } from './flow-progress';

const def: FlowDefinition = {
  name: 'f',
  correlation: 'id',
  timeoutMs: 1000,
  steps: [
    { name: 'a', done: ['x.a'] },
    { name: 'b', done: ['x.b'], failed: ['x.nb'], compensatedBy: ['x.ub'] },
    { name: 'c', done: ['x.c'], failed: ['x.nc'] },
    { name: 'd', done: ['x.d'], optional: true },
  ],
};
const steps = (...statuses: StepView['status'][]): StepView[] =>
  statuses.map((status, i) => ({ name: def.steps[i].name, status, ...(status === 'pending' ? {} : { at: `t${i}` }) }));

describe('where a flow stands', () => {
  it('a running flow waits for its first pending required step, past an optional one', () => {
    expect(pendingStepOf(def, steps('done', 'pending', 'pending', 'pending'), 'running')).toBe('b');
    expect(pendingStepOf(def, steps('done', 'done', 'done', 'pending'), 'stalled')).toBe('d');
  });

  it('a compensating flow waits for the compensation of a done step; an ended flow waits for nothing', () => {
    expect(pendingStepOf(def, steps('done', 'done', 'failed', 'pending'), 'compensating')).toBe('b');
    expect(failedStepOf(steps('done', 'done', 'failed', 'pending'))).toBe('c');
    expect(pendingStepOf(def, steps('done', 'compensated', 'failed', 'pending'), 'compensated')).toBeNull();
  });

  it('it has waited since its latest step', () => {
    expect(waitingSinceOf(steps('done', 'done', 'pending', 'pending'), 't0')).toBe('t1');
    expect(waitingSinceOf(steps('pending', 'pending', 'pending', 'pending'), 's')).toBe('s');
  });

  it('flags an event that arrived after a later one, and one that happened after the end', () => {
    const events = [
      { at: '1', seq: 5 },
      { at: '2', seq: 3 },
      { at: '3', seq: 4 },
      { at: '4', seq: null },
      { at: '9', seq: 9 },
    ];
    expect(eventNotes(events, '5')).toEqual([
      { late: false, outOfOrder: true },
      { late: false, outOfOrder: false },
      { late: false, outOfOrder: false },
      { late: false, outOfOrder: false },
      { late: true, outOfOrder: false },
    ]);
  });
});
