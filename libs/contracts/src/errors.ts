/** One problem found in a message, with the path of the offending field (`items.0.qty`). */
export interface ContractIssue {
  path: string;
  message: string;
}

/** Stable codes, because `instanceof` does not survive a NATS hop. */
export type ContractErrorCode =
  | 'MALFORMED_JSON'
  | 'INVALID_ENVELOPE'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_EVENT'
  | 'OVERSIZED_MESSAGE'
  | 'NESTED_TOO_DEEP'
  | 'NO_CORRELATION'
  | 'INVALID_COMMAND';

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
