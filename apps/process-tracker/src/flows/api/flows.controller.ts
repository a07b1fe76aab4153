import { flowStatuses, type FlowStatus } from '@flowscope/contracts';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { toView, type FlowView } from '../flow-instance';
import { FlowStore } from '../store/flow-store';

interface ListQuery {
  definition?: string;
  status?: string;
  limit?: string;
  cursor?: string;
}

/** The tracker's API (ARCHITECTURE.md "Process-tracker API"). */
@Controller()
export class FlowsController {
  constructor(
    @Inject(FlowStore) private readonly store: FlowStore,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  @Get('definitions')
  definitions() {
    return { items: this.registry.definitions };
  }

  @Get('flows/:definition/:key')
  flow(@Param('definition') definition: string, @Param('key') key: string): FlowView {
    const def = this.registry.get(definition);
    if (!def) throw new NotFoundException({ error: 'DEFINITION_NOT_FOUND', message: `no flow definition '${definition}'` });
    const flow = this.store.get(definition, key);
    if (!flow) throw new NotFoundException({ error: 'FLOW_NOT_FOUND', message: `no ${definition} flow '${key}'` });
    return toView(flow, def, new Date());
  }

  /** Newest first; `next` is the cursor of the following page (null on the last one). */
  @Get('flows')
  list(@Query() query: ListQuery): { items: FlowView[]; next: string | null } {
    const { definition, status, limit, cursor } = parseList(query, this.registry);
    const now = new Date();
    const views: FlowView[] = [];
    for (const flow of this.store.all()) {
      const def = this.registry.get(flow.definition);
      if (!def || (definition && flow.definition !== definition)) continue;
      const view = toView(flow, def, now);
      if (!status || view.status === status) views.push(view);
    }
    const order = (v: FlowView) => `${v.startedAt}|${v.definition}|${v.key}`;
    const page = views.map((v) => [order(v), v] as const).sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0)).filter(([o]) => !cursor || o < cursor);
    const items = page.slice(0, limit).map(([, v]) => v);
    const next = page.length > limit ? Buffer.from(page[limit - 1][0]).toString('base64url') : null;
    return { items, next };
  }
}

function parseList(query: ListQuery, registry: DefinitionRegistry) {
  const problems: string[] = [];
  if (query.definition && !registry.get(query.definition)) problems.push(`definition: unknown '${query.definition}'`);
  if (query.status && !flowStatuses.includes(query.status as FlowStatus)) problems.push(`status: one of ${flowStatuses.join(', ')}`);
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push('limit: a whole number from 1 to 1000');
  const cursor = query.cursor ? Buffer.from(query.cursor, 'base64url').toString() : undefined;
  if (query.cursor && !cursor?.includes('|')) problems.push('cursor: not a cursor this API gave');
  if (problems.length) throw new BadRequestException({ error: 'INVALID_QUERY', message: problems.join('; ') });
  return { definition: query.definition, status: query.status, limit, cursor };
}
