import { NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { nuid, type Subscription } from 'nats';
import type { FlowFilter } from './flow-list';

/** Core NATS subject every tracker replica answers list requests on (no queue group: all answer). */
export const LIST_SUBJECT = 'flowscope.tracker.list';
const REPLY_PREFIX = 'flowscope.tracker.answers.';
const PEER_WAIT_MS = 1000;

export interface ListRequest {
  filter: FlowFilter;
  limit: number;
  cursor?: string;
}

/** A replica's candidates for a page: order key and store key of each, greatest order first. */
export interface ListAnswer {
  replica: string;
  items: [order: string, kvKey: string][];
}

/**
 * Lists across replicas: each replica answers with the page candidates among its own flows; the
 * asking replica merges them with its own. Only keys travel; the flows of a page are then read from
 * the checkpoint store.
 */
@Injectable()
export class PeerLists implements OnApplicationShutdown {
  private readonly logger = new Logger('PeerLists');
  private subscription?: Subscription;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  answer(replica: string, candidates: (request: ListRequest) => [string, string][]): void {
    this.subscription = this.nats.nc.subscribe(LIST_SUBJECT, {
      callback: (error, msg) => {
        if (error || !msg.reply?.startsWith(REPLY_PREFIX)) return;
        try {
          const request = msg.json<ListRequest & { from: string }>();
          if (request.from === replica) return;
          this.nats.nc.publish(msg.reply, JSON.stringify({ replica, items: candidates(request) } satisfies ListAnswer));
        } catch (failure) {
          this.logger.warn(`cannot answer a list request: ${String(failure)}`);
        }
      },
    });
  }

  /**
   * The candidates of the `peers` other replicas (fewer when some do not answer within a second).
   * Answers come to a subject of the tracker's own namespace, so answering needs no response
   * permission beyond publishing there.
   */
  async ask(replica: string, peers: number, request: ListRequest): Promise<ListAnswer[]> {
    if (peers === 0) return [];
    const reply = `${REPLY_PREFIX}${nuid.next()}`;
    const answers: ListAnswer[] = [];
    const subscription = this.nats.nc.subscribe(reply, { max: peers, timeout: PEER_WAIT_MS });
    this.nats.nc.publish(LIST_SUBJECT, JSON.stringify({ ...request, from: replica }), { reply });
    try {
      for await (const msg of subscription) answers.push(msg.json<ListAnswer>());
    } catch (error) {
      this.logger.warn(
        `${peers - answers.length} of ${peers} replicas did not answer a list request: ${String(error)}`,
      );
    }
    return answers;
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
