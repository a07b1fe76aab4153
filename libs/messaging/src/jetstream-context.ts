import { BaseRpcContext } from '@nestjs/microservices';
import type { DeliveryInfo, MsgHdrs } from 'nats';

type JetStreamContextArgs = [subject: string, headers: MsgHdrs | undefined, info: DeliveryInfo];

/** What an `@EventPattern` handler can learn about the JetStream delivery (`@Ctx()`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }

  /** Stream sequence, delivery count and the durable consumer's name. */
  getInfo(): DeliveryInfo {
    return this.args[2];
  }
}
