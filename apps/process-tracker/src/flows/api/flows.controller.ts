import { flowStatuses, type FlowDefinition, type FlowStatus, HttpErrorCode } from '@flowscope/contracts';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { evaluateFlow, TERMINAL } from '../evaluation/evaluate-flow';
import { toView, type FlowInstance, type FlowView } from '../flow-instance';
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
    if (!def)
      throw new NotFoundException({
        error: HttpErrorCode.DEFINITION_NOT_FOUND,
        message: `no flow definition '${definition}'`,
      });
    const flow = this.store.get(definition, key);
    if (!flow)
      throw new NotFoundException({ error: HttpErrorCode.FLOW_NOT_FOUND, message: `no ${definition} flow '${key}'` });
    return toView(flow, def, new Date());
  }

  /**
   * Newest first; `next` is the cursor of the following page (null on the last one). One pass over
   * the flows keeps only the page's candidates: no evaluation or sort of every flow per request.
   */
  @Get('flows')
  list(@Query() query: ListQuery): { items: FlowView[]; next: string | null } {
    const { definition, status, limit, cursor } = parseList(query, this.registry);
    const now = new Date();
    const page = new NewestFirst<FlowInstance>(limit + 1);
    for (const flow of this.store.all()) {
      if (definition && flow.definition !== definition) continue;
      const order = `${flow.startedAt}|${flow.definition}|${flow.key}`;
      if ((cursor && order >= cursor) || !page.wants(order)) continue;
      const def = this.registry.get(flow.definition);
      if (!def || (status && statusNow(flow, def, now) !== status)) continue;
      page.add(order, flow);
    }
    const kept = page.items();
    const items = kept.slice(0, limit).map(([, flow]) => toView(flow, this.registry.get(flow.definition)!, now));
    const next = kept.length > limit ? Buffer.from(kept[limit - 1][0]).toString('base64url') : null;
    return { items, next };
  }
}

/** A flow's status now: the stored one, unless time alone has made an open flow stalled. */
function statusNow(flow: FlowInstance, def: FlowDefinition, now: Date): FlowStatus {
  if (TERMINAL.has(flow.status) || flow.status === 'stalled') return flow.status;
  return Date.parse(flow.startedAt) + def.timeoutMs < now.getTime()
    ? evaluateFlow(def, flow.events, now).status
    : flow.status;
}

/** The `size` entries with the greatest order keys seen, kept sorted (greatest first). */
class NewestFirst<T> {
  private readonly entries: [string, T][] = [];

  constructor(private readonly size: number) {}

  /** Whether an entry with this order key would be kept (cheap test before any other work). */
  wants(order: string): boolean {
    return this.entries.length < this.size || order > this.entries[this.entries.length - 1][0];
  }

  add(order: string, item: T): void {
    if (!this.wants(order)) return;
    // Binary search for the first entry smaller than `order` (entries are in descending order).
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid][0] > order) low = mid + 1;
      else high = mid;
    }
    this.entries.splice(low, 0, [order, item]);
    if (this.entries.length > this.size) this.entries.pop();
  }

  items(): readonly [string, T][] {
    return this.entries;
  }
}

function parseList(query: ListQuery, registry: DefinitionRegistry) {
  const problems: string[] = [];
  if (query.definition && !registry.get(query.definition)) problems.push(`definition: unknown '${query.definition}'`);
  if (query.status && !flowStatuses.includes(query.status as FlowStatus))
    problems.push(`status: one of ${flowStatuses.join(', ')}`);
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push('limit: a whole number from 1 to 1000');
  const cursor = query.cursor ? Buffer.from(query.cursor, 'base64url').toString() : undefined;
  if (query.cursor && !cursor?.includes('|')) problems.push('cursor: not a cursor this API gave');
  if (problems.length)
    throw new BadRequestException({ error: HttpErrorCode.INVALID_QUERY, message: problems.join('; ') });
  return { definition: query.definition, status: query.status, limit, cursor };
}
