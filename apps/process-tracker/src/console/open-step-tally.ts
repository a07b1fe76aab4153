import type { FlowStyle } from '@flowscope/contracts';
import type { OpenStatus, OpenStepCount } from './flow-queries';

/** Where one open flow is counted. */
export interface OpenPlace {
  definition: string;
  style: FlowStyle;
  step: string | null;
  status: OpenStatus;
}

/**
 * Counts of open flows per definition × style × first pending step × status, kept up to date one
 * flow at a time (memory: one entry per open flow and one per place), so the overview walks no flows.
 */
export class OpenStepTally {
  private readonly placeOf = new Map<string, string>();
  private readonly tallies = new Map<string, OpenStepCount>();

  set(flowId: string, place: OpenPlace): void {
    const id = JSON.stringify([place.definition, place.style, place.step, place.status]);
    if (this.placeOf.get(flowId) === id) return;
    this.remove(flowId);
    this.placeOf.set(flowId, id);
    const tally = this.tallies.get(id) ?? { ...place, count: 0 };
    tally.count++;
    this.tallies.set(id, tally);
  }

  remove(flowId: string): void {
    const id = this.placeOf.get(flowId);
    if (id === undefined) return;
    this.placeOf.delete(flowId);
    const tally = this.tallies.get(id)!;
    if (--tally.count === 0) this.tallies.delete(id);
  }

  counts(): OpenStepCount[] {
    return [...this.tallies.values()].map((t) => ({ ...t }));
  }
}
