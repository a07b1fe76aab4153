import { FailureFlags, FailureInjector } from '@flowscope/fulfilment';
import { type EventPublisher } from '@flowscope/messaging';
import { NotifyCustomerHandler } from './notify-customer.handler';
import { NotifyCustomer } from './notify-customer';
import { SentNotifications } from './sent-notifications';

const quiet = { log: () => undefined, warn: () => undefined };

function notificationWith(flagValues: Record<string, string>) {
  const flags = new FailureFlags({ log: quiet });
  for (const [key, value] of Object.entries(flagValues)) flags.apply(key, value);
  const publish = jest.fn(() => Promise.resolve({}));
  const marks = new Set<string>();
  const sent = SentNotifications.over({
    tryCreate: (key) => Promise.resolve(!marks.has(key) && marks.add(key) !== undefined),
  });
  const claim = jest.spyOn(sent, 'claim');
  const notify = new NotifyCustomer(
    { publish } as unknown as EventPublisher,
    new FailureInjector(flags, 'notification', quiet),
    sent,
  );
  return { handler: new NotifyCustomerHandler(notify), publish, claim };
}

describe('NotifyCustomer', () => {
  it('publishes customer.notified with the channel and template, never contact details', async () => {
    const { handler, publish } = notificationWith({});
    await expect(
      handler.onNotify({ orderId: 'o-1', template: 'order-completed', style: 'orchestration' }),
    ).resolves.toEqual({
      ok: true,
      channel: 'email',
      template: 'order-completed',
    });
    expect(publish).toHaveBeenCalledWith(
      'customer.notified',
      { orderId: 'o-1', channel: 'email', template: 'order-completed', style: 'orchestration' },
      { causedBy: undefined },
    );
  });

  it('with a drop rate of 1 the saga still gets its reply but customer.notified is not published', async () => {
    const { handler, publish } = notificationWith({ 'notification.dropRate': '1' });
    await expect(handler.onNotify({ orderId: 'o-1', template: 'order-cancelled' })).resolves.toMatchObject({
      ok: true,
    });
    expect(publish).not.toHaveBeenCalled();
  });

  it('a second delivery of the same notification sends nothing again but still publishes customer.notified', async () => {
    const { handler, publish, claim } = notificationWith({});
    const command = { orderId: 'o-2', template: 'order-completed', style: 'orchestration' as const };
    await handler.onNotify(command);
    await handler.onNotify(command);
    expect(await Promise.all(claim.mock.results.map((r) => r.value as Promise<boolean>))).toEqual([true, false]);
    expect(publish).toHaveBeenCalledTimes(2); // same event id both times: JetStream keeps one
  });
});
