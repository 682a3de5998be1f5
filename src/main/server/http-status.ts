import type { ErrorCode } from '../../shared/errors';

/**
 * The HTTP status of a failed API call, from its error code (the body is the error's payload,
 * `{ code, message }`): the caller's fault is 4xx, the engine's 5xx.
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'request.invalid':
      return 400;
    case 'request.refused':
      return 403;
    case 'not-found':
    case 'model.unknown':
    case 'input.missing':
      return 404;
    case 'output.exists':
      return 409;
    case 'model.refused':
    case 'model.incompatible':
    case 'input.unreadable':
    case 'input.unsupported':
    case 'input.too-large':
    case 'output.too-large':
    case 'output.invalid':
      return 422;
    case 'cancelled':
      return 409;
    case 'engine.stopped':
      return 503;
    default:
      return 500;
  }
}
