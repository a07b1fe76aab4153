import type { FlowDefinition, FlowStyle } from '@flowscope/contracts';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EndedFlowAggregates } from './ended-flow-aggregates';
import { FLOW_QUERIES, type FlowQueries, type OpenStatus, type OpenStepCount } from './flow-queries';
import type { Overview, OverviewBoard } from './overview';

const STYLES: readonly FlowStyle[] = ['choreography', 'orchestration'];
const noneOpen = (): Record<OpenStatus, number> => ({ running: 0, compensating: 0, stalled: 0 });

/** The overview: open flows now (from the tracker) beside what ended in a range (kept here). */
@Injectable()
export class ConsoleOverview implements OnModuleDestroy {
  private readonly aggregates = new EndedFlowAggregates();
  private readonly unsubscribe: () => void;

  constructor(@Inject(FLOW_QUERIES) private readonly flows: FlowQueries) {
    this.unsubscribe = flows.onStatusChange((change) => this.aggregates.record(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  async overview(rangeMinutes: number): Promise<Overview> {
    const counts = await this.flows.openCounts();
    const boards = this.flows
      .definitions()
      .flatMap((def) => STYLES.map((style) => this.board(def, style, counts, rangeMinutes)));
    return { rangeMinutes, generatedAt: new Date().toISOString(), boards };
  }

  private board(def: FlowDefinition, style: FlowStyle, counts: OpenStepCount[], rangeMinutes: number): OverviewBoard {
    const mine = counts.filter((c) => c.definition === def.name && c.style === style);
    const ended = this.aggregates.summary(def.name, style, rangeMinutes * 60_000);
    const open = noneOpen();
    for (const c of mine) open[c.status] += c.count;
    const total = ended.ended.completed + ended.ended.failed + ended.ended.compensated;
    return {
      definition: def.name,
      style,
      timeoutMs: def.timeoutMs,
      steps: def.steps.map((step) => {
        const here = noneOpen();
        for (const c of mine) if (c.step === step.name) here[c.status] += c.count;
        return {
          name: step.name,
          optional: step.optional ?? false,
          open: here,
          ended: ended.failedAt.get(step.name) ?? { failed: 0, compensated: 0 },
        };
      }),
      open,
      ended: ended.ended,
      completionRatio: total > 0 ? ended.ended.completed / total : null,
      p50Ms: ended.p50Ms,
      p95Ms: ended.p95Ms,
    };
  }
}
