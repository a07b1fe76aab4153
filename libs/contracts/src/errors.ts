/** One problem found in a message, with the path of the offending field (`items.0.qty`). */
export interface ContractIssue {
  path: string;
  message: string;
}

/** Stable codes of a broken contract (a dead letter's code, a command reply's), because `instanceof` does not survive a NATS hop. */
export const ContractErrorCode = {
  MALFORMED_JSON: 'MALFORMED_JSON',
  INVALID_ENVELOPE: 'INVALID_ENVELOPE',
  UNKNOWN_EVENT_TYPE: 'UNKNOWN_EVENT_TYPE',
  INVALID_EVENT: 'INVALID_EVENT',
  OVERSIZED_MESSAGE: 'OVERSIZED_MESSAGE',
  NESTED_TOO_DEEP: 'NESTED_TOO_DEEP',
  NO_CORRELATION: 'NO_CORRELATION',
  INVALID_COMMAND: 'INVALID_COMMAND',
} as const;
export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode];

/** A message that breaks a contract: never retried, dead-lettered or answered with this code. */
export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    readonly issues: ContractIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ContractErrorCode; message: string; issues: ContractIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}
