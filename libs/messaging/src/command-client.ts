import {
  CommandReplySchema,
  type CommandData,
  type CommandReply,
  type CommandSubject,
  ReplyCode,
} from '@flowscope/contracts';
import { withClientSpan } from '@flowscope/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import { ErrorCode, headers as natsHeaders, NatsError } from 'nats';
import type { NatsClient } from './nats-client';

export interface SendCommandOptions {
  timeoutMs: number;
  /** Marks the CLIENT span as a compensation (`flowscope.saga.compensating`). */
  compensating?: boolean;
}

/** Sends orchestration commands: CLIENT span, trace context in headers, a timeout always. */
export class CommandClient {
  constructor(private readonly nats: NatsClient) {}

  /**
   * The service's reply, or — when nobody answered in time or nobody listens — a reply
   * `{ok:false, retryable:true}` with code COMMAND_TIMEOUT or NO_RESPONDERS: the caller decides.
   */
  send<S extends CommandSubject>(subject: S, data: CommandData<S>, options: SendCommandOptions): Promise<CommandReply> {
    const headers = natsHeaders();
    const attrs = { orderId: data.orderId, style: data.style, compensating: options.compensating ?? false };
    return withClientSpan(subject, headers, attrs, async (span) => {
      const reply = await this.request(subject, JSON.stringify(data), headers, options.timeoutMs);
      if (!reply.ok) {
        span.setAttribute('error.type', reply.code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: reply.message });
      }
      return reply;
    });
  }

  private async request(
    subject: string,
    body: string,
    headers: ReturnType<typeof natsHeaders>,
    timeout: number,
  ): Promise<CommandReply> {
    try {
      const msg = await this.nats.nc.request(subject, body, { timeout, headers });
      const parsed = CommandReplySchema.safeParse(JSON.parse(msg.string()));
      if (parsed.success) return parsed.data;
      return { ok: false, code: ReplyCode.INVALID_REPLY, message: `unreadable reply to ${subject}`, retryable: true };
    } catch (error) {
      const code = error instanceof NatsError ? String(error.code) : undefined;
      if (code === String(ErrorCode.Timeout)) {
        return {
          ok: false,
          code: ReplyCode.COMMAND_TIMEOUT,
          message: `no reply to ${subject} within ${timeout} ms`,
          retryable: true,
        };
      }
      if (code === String(ErrorCode.NoResponders)) {
        return { ok: false, code: ReplyCode.NO_RESPONDERS, message: `nobody answers ${subject}`, retryable: true };
      }
      throw error;
    }
  }
}
