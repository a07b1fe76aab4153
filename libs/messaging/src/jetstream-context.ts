import { BaseRpcContext } from '@nestjs/microservices';
import type { DeliveryInfo, MsgHdrs } from 'nats';

export type JetStreamContextArgs = [subject: string, headers: MsgHdrs | undefined, info: DeliveryInfo];

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

  /**
   * Keeps the message unacknowledged after the handler returns, until the function returned is
   * called (the work it started is durable elsewhere by then). Until then a crash leaves it to
   * JetStream, which delivers it again once its ack wait has passed, to this replica or another.
   */
  holdAck(): () => void {
    const hold = this.holder;
    if (!hold) throw new Error('this delivery cannot hold its acknowledgement');
    return hold();
  }

  private holder?: () => () => void;

  /** Set by the delivery pipeline. */
  static withHolder(args: JetStreamContextArgs, holder: () => () => void): JetStreamContext {
    const ctx = new JetStreamContext(args);
    ctx.holder = holder;
    return ctx;
  }
}
