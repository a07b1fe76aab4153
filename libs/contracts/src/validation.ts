import type { z } from 'zod';
import { ContractError, type ContractErrorCode, type ContractIssue } from './errors';

/** Turns zod's issues into field paths a person can read (`items.0.qty: Too small`). */
export function toIssues(error: z.ZodError): ContractIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses `value` with `schema` or throws a ContractError carrying every field problem. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: ContractErrorCode,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ContractError(code, `invalid ${what}: ${summary}`, issues);
}

/** Deeper than any message of the contracts (an order's item fields are 4 levels down in a CloudEvent). */
export const MAX_JSON_DEPTH = 32;

/**
 * Refuses parsed JSON nested deeper than MAX_JSON_DEPTH. Loose schemas let unknown fields through, and
 * 60 KiB of `[[[…]]]` in one of them passes every schema but makes JSON.stringify (a KV write, a
 * log line) throw RangeError in the handler: retried until MAX_DELIVERIES instead of refused at once.
 * Iterative, so the check itself cannot overflow the stack.
 */
export function checkNesting(json: unknown, code: ContractErrorCode, max = MAX_JSON_DEPTH): void {
  const stack: [unknown, number][] = [[json, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) throw new ContractError(code, `JSON nested deeper than ${max} levels`);
    for (const child of Object.values(value))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}
