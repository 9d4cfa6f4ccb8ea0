/**
 * Errors the user can fix. The CLI prints `message` on one line to stderr and exits with `exitCode` (2).
 * Everything else that is thrown is a bug and crashes loudly with its stack.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}

export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}

/** A one-line description of any thrown value, for error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0] ?? err.name;
  return String(err);
}
