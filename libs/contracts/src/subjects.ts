/** The JetStream stream that stores every domain event. */
export const EVENTS_STREAM = 'EVENTS';
/** What EVENTS captures: the domain event subjects, never `cmd.>` (a stream would answer requests). */
export const EVENTS_STREAM_SUBJECTS = ['order.>', 'payment.>', 'stock.>', 'shipment.>', 'customer.>'];

/** The stream that keeps dead letters of every service, so none is lost while nobody listens. */
export const DLQ_STREAM = 'DLQ';
export const DLQ_STREAM_SUBJECTS = ['dlq.>'];

/** Where a service copies the messages it refuses, with the reason. */
export function dlqSubject(service: string): string {
  return `dlq.${service}`;
}
