import { UpresError } from '../shared/errors';

/** Bad command-line usage (`request.invalid`: exit code 2, see exit-codes.ts). */
export class UsageError extends UpresError {
  override name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('request.invalid', message, options);
  }
}
