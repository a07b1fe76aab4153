// Stable codes are contracts: they cross NATS and HTTP as these exact strings (`instanceof` does not
// survive a hop), so every producer and every reader names them through these constants.

/** `code` of a refused command's reply `{ok: false, code, message}`. */
export const ReplyCode = {
  /** payments refused the charge (not retryable). */
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** The order's payment was refunded before it was authorized: a late authorize is refused. */
  PAYMENT_VOIDED: 'PAYMENT_VOIDED',
  STOCK_UNAVAILABLE: 'STOCK_UNAVAILABLE',
  /** The order's stock was released before it was reserved: a late reserve is refused. */
  STOCK_VOIDED: 'STOCK_VOIDED',
  SHIPMENT_FAILED: 'SHIPMENT_FAILED',
  /** No reply within the caller's timeout: the command may or may not have run (retryable). */
  COMMAND_TIMEOUT: 'COMMAND_TIMEOUT',
  /** Nobody subscribed to the command's subject: it certainly did not run (retryable). */
  NO_RESPONDERS: 'NO_RESPONDERS',
  /** The reply could not be read (retryable). */
  INVALID_REPLY: 'INVALID_REPLY',
  /** The handler failed without a code of its own (retryable). */
  COMMAND_FAILED: 'COMMAND_FAILED',
} as const;
export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

/** Why an event was not handled: the dead letter's `Flowscope-Dlq-Code`, or a retry's code. */
export const DeliveryCode = {
  /** Every delivery attempt failed: dead-lettered with the last error. */
  MAX_DELIVERIES: 'MAX_DELIVERIES',
  /** The event's order has not been seen yet: redelivered later, not a failure. */
  ORDER_NOT_YET_KNOWN: 'ORDER_NOT_YET_KNOWN',
} as const;
export type DeliveryCode = (typeof DeliveryCode)[keyof typeof DeliveryCode];

/** `error` of an HTTP error body `{error, message}`. */
export const HttpErrorCode = {
  INVALID_REQUEST: 'INVALID_REQUEST',
  ORDER_EXISTS: 'ORDER_EXISTS',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  DEFINITION_NOT_FOUND: 'DEFINITION_NOT_FOUND',
  FLOW_NOT_FOUND: 'FLOW_NOT_FOUND',
  INVALID_QUERY: 'INVALID_QUERY',
} as const;
export type HttpErrorCode = (typeof HttpErrorCode)[keyof typeof HttpErrorCode];
