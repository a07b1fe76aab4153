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
