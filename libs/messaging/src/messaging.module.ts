import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CommandClient } from './command-client';
import { DeadLetters } from './dead-letters';
import { EventPublisher } from './event-publisher';
import { JetStreamEventServer, type JetStreamEventServerOptions } from './jetstream-event-server';
import { NatsClient } from './nats-client';

export interface MessagingModuleOptions extends JetStreamEventServerOptions {
  natsUrl: string;
  /** User and password; none: connect without authentication. */
  natsAuth?: { user: string; pass: string };
}

/** Drains the connection after the transport has stopped consuming (Nest closes servers first). */
class NatsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nats.drain();
  }
}

/** The NATS side of a service: connection, event publisher, dead letters and the JetStream transport. */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const { service } = options;
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: NatsClient, useFactory: () => NatsClient.connect(options.natsUrl, service, options.natsAuth) },
        {
          provide: EventPublisher,
          useFactory: (nats: NatsClient) => new EventPublisher(nats, service),
          inject: [NatsClient],
        },
        {
          provide: DeadLetters,
          useFactory: (nats: NatsClient) => new DeadLetters(nats, service),
          inject: [NatsClient],
        },
        {
          provide: JetStreamEventServer,
          useFactory: (nats: NatsClient, dlq: DeadLetters) => new JetStreamEventServer(nats, dlq, options),
          inject: [NatsClient, DeadLetters],
        },
        { provide: CommandClient, useFactory: (nats: NatsClient) => new CommandClient(nats), inject: [NatsClient] },
        NatsLifecycle,
      ],
      exports: [NatsClient, EventPublisher, DeadLetters, JetStreamEventServer, CommandClient],
    };
  }
}
