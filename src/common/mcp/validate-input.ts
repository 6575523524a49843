import { createValidationPipe } from '../http/validation.pipe.js';

/**
 * Validates MCP tool arguments (and mapped inputs such as a server.json import) with the REST API's own validation
 * pipe and DTO class, so every surface accepts and refuses exactly the same input with the same messages.
 */
export async function validateInput<T extends object>(type: new () => T, args: unknown): Promise<T> {
  return (await PIPE.transform(args ?? {}, { type: 'body', metatype: type })) as T;
}

/** One pipe for every tool call (it holds no per-call state). */
const PIPE = createValidationPipe();
