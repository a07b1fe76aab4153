// The overview's data: one board per definition and style. Shared by the tracker and the browser.
import type { FlowStyle } from '@flowscope/contracts';
import type { OpenStatus } from './flow-queries';

export type EndedStatus = 'completed' | 'failed' | 'compensated';
export const ENDED_STATUSES: readonly EndedStatus[] = ['completed', 'failed', 'compensated'];

/** The time ranges the overview offers, in minutes. */
export const OVERVIEW_RANGES_MIN = [5, 15, 60, 360, 1440] as const;

export interface StepCounts {
  name: string;
  optional: boolean;
  /** Open flows whose first pending step this is, now. */
  open: Record<OpenStatus, number>;
  /** Flows that ended in the range with this step failed, by how they ended. */
  ended: { failed: number; compensated: number };
}

export interface OverviewBoard {
  definition: string;
  style: FlowStyle;
  timeoutMs: number;
  steps: StepCounts[];
  /** Open flows now, by status. */
  open: Record<OpenStatus, number>;
  /** Flows that ended in the range, by status. */
  ended: Record<EndedStatus, number>;
  /** completed / ended in the range; null when none ended. */
  completionRatio: number | null;
  /** Duration percentiles of the flows that ended in the range (histogram estimates, ±10 %). */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Overview {
  rangeMinutes: number;
  generatedAt: string;
  boards: OverviewBoard[];
}
