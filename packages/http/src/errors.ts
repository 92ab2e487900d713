import type { z } from 'zod';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An answer other than success: the status, a snake_case code and a human sentence. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string, details?: ErrorDetail[]) => new HttpError(400, code, message, details);
export const unauthorized = (message = 'a valid API key is required (Authorization: Bearer <key>)') =>
  new HttpError(401, 'unauthorized', message);
export const forbidden = (code: string, message: string) => new HttpError(403, code, message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);
export const tooLarge = (code: string, message: string) => new HttpError(413, code, message);

/**
 * Zod issues as field paths (e.g. `sites.0.writeKey`) and messages; a field no schema knows (a
 * misspelt one) is named itself, not the object that holds it.
 */
export function fieldIssues(error: z.ZodError, prefix: (string | number)[] = []): ErrorDetail[] {
  const pathOf = (path: PropertyKey[]) => [...prefix, ...path].map(String).join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: `unknown field "${key}"` }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/** Zod issues as a 400 whose details name each offending field (`fieldIssues`). */
export function invalidInput(error: z.ZodError, prefix: (string | number)[] = []): HttpError {
  const details = fieldIssues(error, prefix);
  const first = details[0];
  return badRequest('invalid_request', first ? `${first.path}: ${first.message}` : 'invalid input', details);
}

/** The contract's error body. */
export function errorBody(err: HttpError) {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
}
