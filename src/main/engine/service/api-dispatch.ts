import type { z } from 'zod';
import { api, type ApiContract, type ApiMethod } from '../../../shared/api';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { replyOf, type IpcReply } from '../../../shared/ipc-reply';

/** One implementation per API method; they receive requests already validated. */
export type ApiHandlers = {
  [M in ApiMethod]: (
    request: z.output<ApiContract[M]['request']>,
  ) => Promise<z.input<ApiContract[M]['response']>>;
};

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${where}: ${issue.message}`;
}

/**
 * The boundary every transport goes through: validates the request with the contract's schema
 * (a refusal is `request.invalid`), calls the handler, and validates (and strips) its response (a
 * response that breaks the contract is `internal`). Handler errors pass through with their code.
 */
export async function dispatchApi(
  handlers: ApiHandlers,
  method: ApiMethod,
  raw: unknown,
): Promise<unknown> {
  const { request, response } = api[method] as { request: z.ZodType; response: z.ZodType };
  const parsed = request.safeParse(raw);
  if (!parsed.success)
    throw new UpresError(
      'request.invalid',
      // The issue is zod's own wording (a field path and what it expected): a value here.
      msg('batch.requestInvalid', { method, issue: describeIssue(parsed.error) }),
    );
  const handler = handlers[method] as (this: ApiHandlers, req: unknown) => Promise<unknown>;
  const result = response.safeParse(await handler.call(handlers, parsed.data));
  if (!result.success) {
    throw new UpresError(
      'internal',
      `${method}: the engine returned an invalid response: ${describeIssue(result.error)}`,
    );
  }
  return result.data;
}

/** dispatchApi as a reply that never rejects: what IPC sends back (see shared/ipc-reply.ts). */
export function dispatchReply(
  handlers: ApiHandlers,
  method: ApiMethod,
  raw: unknown,
): Promise<IpcReply<unknown>> {
  return replyOf(() => dispatchApi(handlers, method, raw));
}
