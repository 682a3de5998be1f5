import type { z } from 'zod';
import { api, type ApiContract, type ApiMethod } from '../../../shared/api';

/** One implementation per API method; they receive requests already validated. */
export type ApiHandlers = {
  [M in ApiMethod]: (
    request: z.output<ApiContract[M]['request']>,
  ) => Promise<z.input<ApiContract[M]['response']>>;
};

/** A request the contract's schema refused (the loopback server answers it with 400). */
export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${where}: ${issue.message}`;
}

/**
 * The boundary every transport goes through: validates the request with the contract's schema,
 * calls the handler, and validates (and strips) its response.
 */
export async function dispatchApi(
  handlers: ApiHandlers,
  method: ApiMethod,
  raw: unknown,
): Promise<unknown> {
  const { request, response } = api[method] as { request: z.ZodType; response: z.ZodType };
  const parsed = request.safeParse(raw);
  if (!parsed.success)
    throw new InvalidRequestError(`${method}: invalid request: ${describeIssue(parsed.error)}`);
  const handler = handlers[method] as (this: ApiHandlers, req: unknown) => Promise<unknown>;
  const result = response.safeParse(await handler.call(handlers, parsed.data));
  if (!result.success) {
    throw new Error(
      `${method}: the engine returned an invalid response: ${describeIssue(result.error)}`,
    );
  }
  return result.data;
}
