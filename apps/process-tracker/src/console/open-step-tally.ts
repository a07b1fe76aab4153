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
  /** Each open flow's tally (shared by the flows in one place: no string per flow). */
  private readonly placeOf = new Map<string, Tally>();
  private readonly tallies = new Map<string, Tally>();

  set(flowId: string, place: OpenPlace): void {
    const id = JSON.stringify([place.definition, place.style, place.step, place.status]);
    if (this.placeOf.get(flowId)?.id === id) return;
    this.remove(flowId);
    let tally = this.tallies.get(id);
    if (!tally) this.tallies.set(id, (tally = { id, place: { ...place, count: 0 } }));
    tally.place.count++;
    this.placeOf.set(flowId, tally);
  }

  remove(flowId: string): void {
    const tally = this.placeOf.get(flowId);
    if (tally === undefined) return;
    this.placeOf.delete(flowId);
    if (--tally.place.count === 0) this.tallies.delete(tally.id);
  }

  counts(): OpenStepCount[] {
    return [...this.tallies.values()].map((t) => ({ ...t.place }));
  }
}

interface Tally {
  id: string;
  place: OpenStepCount;
}
