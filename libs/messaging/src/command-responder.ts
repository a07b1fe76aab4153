import { COMPENSATION_COMMANDS, ContractError, parseCommand, type CommandReply, ReplyCode } from '@flowscope/contracts';
import { withServerSpan } from '@flowscope/telemetry';
import { BaseRpcContext, type MessageHandler } from '@nestjs/microservices';
import type { Msg, MsgHdrs, Subscription } from 'nats';
import { messagingMetrics } from './metrics';
import type { NatsClient } from './nats-client';

/** What a `@MessagePattern('cmd.…')` handler can learn about the request (`@Ctx()`). */
export class CommandContext extends BaseRpcContext<[subject: string, headers: MsgHdrs | undefined]> {
  getSubject(): string {
    return this.args[0];
  }

  getHeaders(): MsgHdrs | undefined {
    return this.args[1];
  }
}

type Invoke = (handler: MessageHandler, data: unknown, ctx: CommandContext) => Promise<unknown>;

/**
 * Answers commands over core NATS request/reply, in a queue group per service so replicas share
 * the load. Every request gets a reply, at once for a malformed one: `{ok:false, code:
 * 'INVALID_COMMAND'}` — never a silent time-out. A bare JSON body is a command (unlike Nest's own
 * NATS transport, which takes a body without `id` for an event and never answers).
 */
export class CommandResponder {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nats: NatsClient,
    private readonly service: string,
    private readonly invoke: Invoke,
  ) {}

  subscribe(subject: string, handler: MessageHandler): void {
    const sub = this.nats.nc.subscribe(subject, {
      queue: this.service,
      callback: (error, msg) => {
        if (error) return;
        const task = this.respond(msg, subject, handler).finally(() => this.inFlight.delete(task));
        this.inFlight.add(task);
      },
    });
    this.subscriptions.push(sub);
  }

  /** Stops taking requests, then waits for those being answered. */
  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((sub) => sub.drain().catch(() => undefined)));
    await Promise.all(this.inFlight);
  }

  private async respond(msg: Msg, subject: string, handler: MessageHandler): Promise<void> {
    const reply = await this.answer(msg, subject, handler).catch(toErrorReply);
    messagingMetrics.commands.inc({ service: this.service, subject, outcome: reply.ok ? 'ok' : reply.code });
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  private async answer(msg: Msg, subject: string, handler: MessageHandler): Promise<CommandReply> {
    const command = parseCommand(subject, msg.data);
    const attrs = {
      orderId: command.orderId,
      style: command.style,
      compensating: COMPENSATION_COMMANDS.has(subject),
      consumerGroup: this.service,
    };
    return withServerSpan(
      subject,
      msg.headers,
      attrs,
      async () => {
        const reply = (await this.invoke(handler, command, new CommandContext([subject, msg.headers]))) as
          CommandReply | undefined;
        return reply ?? { ok: true };
      },
      { traceSeed: command.orderId },
    );
  }
}

function toErrorReply(error: unknown): CommandReply {
  if (error instanceof ContractError) {
    return { ok: false, code: error.code, message: error.message, retryable: false, issues: error.issues };
  }
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  // An unexpected failure (the store unreachable, say) may pass: the caller may retry.
  return { ok: false, code: typeof code === 'string' ? code : ReplyCode.COMMAND_FAILED, message, retryable: true };
}
