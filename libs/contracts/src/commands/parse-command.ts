import { ContractError, ContractErrorCode } from '../errors';
import { checkNesting, validate } from '../validation';
import { commandSchemas, isCommandSubject, type CommandData, type CommandSubject } from './index';

/** Larger command bodies are refused before parsing. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/**
 * Reads a command off NATS: a bare JSON object validated against its subject's schema. Throws a
 * ContractError with code INVALID_COMMAND (and the field paths) for anything else.
 */
export function parseCommand<S extends CommandSubject>(subject: S, body: Uint8Array): CommandData<S>;
export function parseCommand(subject: string, body: Uint8Array): CommandData<CommandSubject>;
export function parseCommand(subject: string, body: Uint8Array): CommandData<CommandSubject> {
  if (!isCommandSubject(subject))
    throw new ContractError(ContractErrorCode.INVALID_COMMAND, `unknown command '${subject}'`);
  if (body.byteLength > MAX_COMMAND_BYTES) {
    throw new ContractError(
      ContractErrorCode.INVALID_COMMAND,
      `command of ${body.byteLength} bytes exceeds ${MAX_COMMAND_BYTES}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (cause) {
    throw new ContractError(ContractErrorCode.INVALID_COMMAND, `body is not JSON: ${(cause as Error).message}`, [], {
      cause,
    });
  }
  checkNesting(json, ContractErrorCode.INVALID_COMMAND);
  return validate(commandSchemas[subject], json, ContractErrorCode.INVALID_COMMAND, subject);
}
