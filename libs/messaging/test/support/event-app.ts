// A tiny Nest microservice on the real JetStreamEventServer, wired like a service's bootstrap.
import {
  CUSTOMER_NOTIFIED,
  PAYMENT_AUTHORIZED,
  PAYMENT_DECLINED,
  STOCK_RELEASED,
  STOCK_RESERVED,
  ORDER_PLACED,
  type EventEnvelope,
} from '@flowscope/contracts';
import {
  Catch,
  Controller,
  Inject,
  Module,
  type ArgumentsHost,
  type INestMicroservice,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type CustomStrategy } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { DeadLetters, JetStreamEventServer, NatsClient, type JetStreamContext } from '../../src';

/** One handler call, as the handler saw it. */
export interface HandlerCall {
  type: string;
  orderId: string;
  eventId: string;
  deliveryCount: number;
}

/** What the handlers were called with, in order. */
export class HandlerCalls {
  readonly all: HandlerCall[] = [];
  /** What the slow handler waits for before it returns. */
  gate: Promise<void> = Promise.resolve();
  /** Slow handler calls that have returned. */
  finished = 0;
  /** Per orderId, how many `order.placed` calls ran at once at most. */
  readonly mostAtOnce = new Map<string, number>();
  private readonly running = new Map<string, number>();

  /** Counts a call as running until the returned function is called. */
  enter(orderId: string): () => void {
    const now = (this.running.get(orderId) ?? 0) + 1;
    this.running.set(orderId, now);
    this.mostAtOnce.set(orderId, Math.max(now, this.mostAtOnce.get(orderId) ?? 0));
    return () => this.running.set(orderId, (this.running.get(orderId) ?? 1) - 1);
  }

  record(event: EventEnvelope, ctx: JetStreamContext): number {
    const call = {
      type: event.type,
      orderId: event.subject,
      eventId: event.id,
      deliveryCount: ctx.getInfo().deliveryCount,
    };
    this.all.push(call);
    return this.of(call.type, call.orderId).length;
  }

  of(type: string, orderId: string): HandlerCall[] {
    return this.all.filter((c) => c.type === type && c.orderId === orderId);
  }

  /** Makes the slow handler wait until the returned function is called. */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }
}

/** How often the flaky handler fails for an order before it succeeds. */
export const FLAKY_FAILURES = 2;

@Controller()
class TestHandlers {
  constructor(@Inject(HandlerCalls) private readonly calls: HandlerCalls) {}

  @EventPattern(ORDER_PLACED)
  async placed(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): Promise<void> {
    const leave = this.calls.enter(event.subject);
    this.calls.record(event, ctx);
    await new Promise((resolve) => setTimeout(resolve, 5)); // some work, so that copies could overlap
    leave();
  }

  @EventPattern(PAYMENT_AUTHORIZED)
  async flaky(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): Promise<void> {
    await Promise.resolve(); // fails as a rejected promise, where `broken` throws synchronously
    const attempt = this.calls.record(event, ctx);
    if (attempt <= FLAKY_FAILURES) throw new Error(`flaky failure ${attempt}`);
  }

  @EventPattern(PAYMENT_DECLINED)
  broken(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): void {
    this.calls.record(event, ctx);
    throw Object.assign(new Error('the ledger is down'), { code: 'LEDGER_DOWN' });
  }

  @EventPattern(STOCK_RESERVED)
  choreographyOnly(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): void {
    this.calls.record(event, ctx);
  }

  @EventPattern(CUSTOMER_NOTIFIED)
  async slow(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): Promise<void> {
    this.calls.record(event, ctx);
    await this.calls.gate;
    this.calls.finished++;
  }

  @EventPattern(STOCK_RELEASED, { allStyles: true })
  everyStyle(@Payload() event: EventEnvelope, @Ctx() ctx: JetStreamContext): void {
    this.calls.record(event, ctx);
  }
}

/** As libs/runtime's bootstrap does: the handler's own error reaches the transport. */
@Catch()
class RethrowToTransport implements RpcExceptionFilter {
  catch(error: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => error);
  }
}

export const REDELIVERY = { maxDeliver: 3, backoffMs: () => 50 };

/** A running test service: its Nest app, its own NATS connection and what its handlers saw. */
export interface EventApp {
  app: INestMicroservice;
  nats: NatsClient;
  calls: HandlerCalls;
  /** Closes the app, then drains its connection. */
  close(): Promise<void>;
}

export async function startEventApp(url: string, service: string): Promise<EventApp> {
  const nats = await NatsClient.connect(url, service);
  const calls = new HandlerCalls();
  @Module({ controllers: [TestHandlers], providers: [{ provide: HandlerCalls, useValue: calls }] })
  class TestServiceModule {}
  try {
    const server = new JetStreamEventServer(nats, new DeadLetters(nats, service), { service, redelivery: REDELIVERY });
    const app = await NestFactory.createMicroservice<CustomStrategy>(TestServiceModule, {
      strategy: server,
      logger: ['error'],
    });
    app.useGlobalFilters(new RethrowToTransport());
    await app.listen();
    const close = async (): Promise<void> => {
      await app.close();
      await nats.drain();
    };
    return { app, nats, calls, close };
  } catch (error) {
    await nats.drain();
    throw error;
  }
}
