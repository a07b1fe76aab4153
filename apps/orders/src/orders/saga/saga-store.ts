import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { isOpen, type SagaState } from './saga-state';
import { readStoredSaga, type StoredSaga } from './stored-saga';

/** Saga states in the KV bucket `sagas`, keyed by orderId; older shapes are read as today's. */
@Injectable()
export class SagaStore implements OnModuleInit {
  private kv!: JsonKv<StoredSaga>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await JsonKv.open(this.nats.js, 'sagas');
  }

  async get(orderId: string): Promise<SagaState | undefined> {
    const stored = (await this.kv.get(orderId))?.value;
    return stored && readStoredSaga(stored);
  }

  async save(saga: SagaState): Promise<SagaState> {
    await this.kv.put(saga.orderId, saga);
    return saga;
  }

  /** Orders whose saga has work left (to resume at start). */
  async unfinished(): Promise<string[]> {
    const out: string[] = [];
    for (const orderId of await this.kv.keys()) {
      const saga = await this.get(orderId);
      if (saga && isOpen(saga)) out.push(orderId);
    }
    return out;
  }
}
