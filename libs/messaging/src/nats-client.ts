import { Logger } from '@nestjs/common';
import { connect, Events, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { skipStacksOfCancelledRequests } from './nats-request-errors';
import { ensureStreams } from './streams';

/** One NATS connection per service, with JetStream and the streams ensured. */
export class NatsClient {
  private isConnected = true;
  private readonly logger = new Logger('NATS');

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    void this.watchStatus();
  }

  /**
   * Connects (waiting for a server that is not up yet), as `auth`'s user if given, and ensures the
   * EVENTS and DLQ streams.
   */
  static async connect(url: string, name: string, auth?: { user: string; pass: string }): Promise<NatsClient> {
    skipStacksOfCancelledRequests();
    const nc = await connect({
      servers: url.split(','),
      name,
      ...(auth ? { user: auth.user, pass: auth.pass } : {}),
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // No stack captured per request: JetStream publishes and KV writes are requests, and the
      // pre-built error object is a measurable share of a busy consumer's CPU (bench:tracker).
      noAsyncTraces: true,
    });
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    return new NatsClient(nc, nc.jetstream(), jsm);
  }

  /** Readiness: connected to a server right now. */
  get connected(): boolean {
    return this.isConnected && !this.nc.isClosed();
  }

  async drain(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this.isConnected = false;
      if (status.type === Events.Reconnect) this.isConnected = true;
      if (status.type === Events.Disconnect || status.type === Events.Reconnect) {
        this.logger.warn(`NATS ${status.type} (${JSON.stringify(status.data)})`);
      }
    }
  }
}
