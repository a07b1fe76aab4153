import { flowStatuses, type FlowDefinition, type FlowStatus, type FlowStyle } from '@flowscope/contracts';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ConsoleOverview } from './console-overview';
import type { FlowDetail, FlowListQuery, FlowRow, FlowRowPage } from './console-views';
import { eventNotes, pendingStepOf, waitingSinceOf } from './flow-progress';
import { FLOW_QUERIES, type ConsoleFlow, type FlowFilter, type FlowQueries } from './flow-queries';
import { OVERVIEW_RANGES_MIN, type Overview } from './overview';
import { JaegerTraceSource } from './traces/jaeger-trace-source';
import type { FlowTraces } from './traces/joined-timeline';

const STYLES: readonly FlowStyle[] = ['choreography', 'orchestration'];

/** The console's data, under /api/console (the tracker's own API keeps its paths). */
@Controller('api/console')
export class ConsoleApiController {
  constructor(
    @Inject(FLOW_QUERIES) private readonly flows: FlowQueries,
    @Inject(ConsoleOverview) private readonly overviews: ConsoleOverview,
    @Inject(JaegerTraceSource) private readonly traces: JaegerTraceSource,
  ) {}

  @Get('overview')
  overview(@Query('range') range?: string): Promise<Overview> {
    const minutes = range === undefined ? 60 : Number(range);
    if (!(OVERVIEW_RANGES_MIN as readonly number[]).includes(minutes))
      throw invalid(`range: minutes, one of ${OVERVIEW_RANGES_MIN.join(', ')}`);
    return this.overviews.overview(minutes);
  }

  @Get('flows')
  async list(@Query() query: FlowListQuery): Promise<FlowRowPage> {
    const { filter, limit, cursor } = parseListQuery(query, this.flows.definitions());
    const page = await this.flows.listFlows(filter, { limit, cursor });
    return { items: page.items.map((flow) => this.row(flow)), next: page.next };
  }

  @Get('flows/:definition/:key')
  async flow(@Param('definition') definition: string, @Param('key') key: string): Promise<FlowDetail> {
    const flow = await this.known(definition, key);
    const def = this.definition(definition)!;
    return {
      flow,
      pendingStep: pendingStepOf(def, flow.steps, flow.status),
      waitingSince: waitingSinceOf(flow.steps, flow.startedAt),
      deadline: new Date(Date.parse(flow.startedAt) + flow.timeoutMs).toISOString(),
      notes: eventNotes(flow.events, flow.endedAt),
    };
  }

  @Get('flows/:definition/:key/traces')
  async flowTraces(@Param('definition') definition: string, @Param('key') key: string): Promise<FlowTraces> {
    return this.traces.flowTraces((await this.known(definition, key)).traceIds);
  }

  private async known(definition: string, key: string): Promise<ConsoleFlow> {
    if (!this.definition(definition))
      throw new NotFoundException({
        error: 'DEFINITION_NOT_FOUND',
        message: `There is no flow definition “${definition}”.`,
      });
    const flow = await this.flows.getFlow(definition, key);
    if (!flow)
      throw new NotFoundException({
        error: 'FLOW_NOT_FOUND',
        message: `No ${definition} flow “${key}” is known to the tracker.`,
      });
    return flow;
  }

  private definition(name: string): FlowDefinition | undefined {
    return this.flows.definitions().find((d) => d.name === name);
  }

  private row(flow: ConsoleFlow): FlowRow {
    const def = this.definition(flow.definition)!;
    const last = flow.events.at(-1);
    return {
      definition: flow.definition,
      key: flow.key,
      style: flow.style,
      status: flow.status,
      startedAt: flow.startedAt,
      pendingStep: pendingStepOf(def, flow.steps, flow.status),
      waitingSince: waitingSinceOf(flow.steps, flow.startedAt),
      lastEvent: last ? { type: last.type, at: last.at } : null,
    };
  }
}

const invalid = (message: string) => new BadRequestException({ error: 'INVALID_QUERY', message });

function parseListQuery(query: FlowListQuery, defs: readonly FlowDefinition[]) {
  const problems: string[] = [];
  const now = Date.now();
  const ago = (name: keyof FlowListQuery): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 0) return void problems.push(`${name}: seconds, 0 or more`);
    return new Date(now - seconds * 1000).toISOString();
  };
  const pick = <T extends string>(name: keyof FlowListQuery, allowed: readonly T[]): T | undefined => {
    const value = query[name] || undefined;
    if (value !== undefined && !allowed.includes(value as T)) problems.push(`${name}: one of ${allowed.join(', ')}`);
    return value as T | undefined;
  };
  const filter: FlowFilter = {
    definition: pick(
      'definition',
      defs.map((d) => d.name),
    ),
    status: pick<FlowStatus>('status', flowStatuses),
    style: pick('style', STYLES),
    pendingStep: pick('pendingStep', [...new Set(defs.flatMap((d) => d.steps.map((s) => s.name)))]),
    startedBefore: ago('olderThan'),
    startedAfter: ago('newerThan'),
    lastEventBefore: ago('quietFor'),
    lastEventAfter: ago('activeWithin'),
  };
  const limit = query.limit === undefined ? 25 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) problems.push('limit: a whole number from 1 to 500');
  if (problems.length) throw invalid(problems.join('; '));
  const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as FlowFilter;
  return { filter: defined, limit, cursor: query.cursor || undefined };
}
