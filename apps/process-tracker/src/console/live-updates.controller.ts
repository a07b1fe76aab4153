import { Controller, Inject, Sse, type BeforeApplicationShutdown, type MessageEvent } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { FLOW_QUERIES, type FlowQueries, type FlowStatusChange } from './flow-queries';

/** Status changes as server-sent events (`change`), so the console's views update without a reload. */
@Controller('api/console')
export class LiveUpdatesController implements BeforeApplicationShutdown {
  /** Open streams, ended at shutdown: an open one would keep the HTTP server from closing. */
  private readonly open = new Set<Subscriber<MessageEvent>>();

  constructor(@Inject(FLOW_QUERIES) private readonly flows: FlowQueries) {}

  @Sse('events')
  events(): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      this.open.add(subscriber);
      const unsubscribe = this.flows.onStatusChange((change: FlowStatusChange) =>
        subscriber.next({ type: 'change', data: change }),
      );
      // A comment line now, so proxies and the browser see the stream open at once.
      subscriber.next({ type: 'hello', data: { at: new Date().toISOString() } });
      return () => {
        unsubscribe();
        this.open.delete(subscriber);
      };
    });
  }

  beforeApplicationShutdown(): void {
    for (const subscriber of this.open) subscriber.complete();
  }
}
