import { flowStatuses, type FlowStatus, HttpErrorCode } from '@flowscope/contracts';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { DefinitionRegistry } from '../definitions/definition-registry';
import { toView, type FlowView } from '../flow-instance';
import { FlowReader } from './flow-reader';

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
    @Inject(FlowReader) private readonly reader: FlowReader,
    @Inject(DefinitionRegistry) private readonly registry: DefinitionRegistry,
  ) {}

  @Get('definitions')
  definitions() {
    return { items: this.registry.definitions };
  }

  @Get('flows/:definition/:key')
  async flow(@Param('definition') definition: string, @Param('key') key: string): Promise<FlowView> {
    const def = this.registry.get(definition);
    if (!def)
      throw new NotFoundException({
        error: HttpErrorCode.DEFINITION_NOT_FOUND,
        message: `no flow definition '${definition}'`,
      });
    const flow = await this.reader.get(definition, key);
    if (!flow)
      throw new NotFoundException({ error: HttpErrorCode.FLOW_NOT_FOUND, message: `no ${definition} flow '${key}'` });
    return toView(flow, def, new Date());
  }

  /**
   * Newest first; `next` is the cursor of the following page (null on the last one). Any replica
   * lists every replica's flows: open ones and the most recent ended ones (FlowReader).
   */
  @Get('flows')
  async list(@Query() query: ListQuery): Promise<{ items: FlowView[]; next: string | null }> {
    const { definition, status, limit, cursor } = parseList(query, this.registry);
    const now = new Date();
    const filter = { ...(definition ? { definition } : {}), ...(status ? { status: status as FlowStatus } : {}) };
    const page = await this.reader.list(filter, limit, cursor);
    return {
      items: page.items.map((flow) => toView(flow, this.registry.get(flow.definition)!, now)),
      next: page.next ? Buffer.from(page.next).toString('base64url') : null,
    };
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
