/** An expected failure: a status, a stable code to branch on, and a message safe to show. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: Array<{ field: string; message: string }>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what = 'Not found') => new HttpError(404, 'NOT_FOUND', what);
export const forbidden = (message = 'You do not have access to this') =>
  new HttpError(403, 'FORBIDDEN', message);
export const unauthorized = (message = 'Authentication required') =>
  new HttpError(401, 'UNAUTHORIZED', message);
export const badRequest = (message: string, fields?: Array<{ field: string; message: string }>) =>
  new HttpError(400, 'BAD_REQUEST', message, fields);
export const conflict = (message: string) => new HttpError(409, 'CONFLICT', message);
