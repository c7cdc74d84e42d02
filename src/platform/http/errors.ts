// One error family for the whole platform. Each error has a stable code and HTTP status and is
// rendered as RFC 9457 problem+json in one place (server.ts).

export const ERROR_CODES = {
  'bad-request': 400,
  'validation-failed': 400,
  'invalid-json': 400,
  'unauthenticated': 401,
  'invalid-credentials': 401,
  'invalid-token': 401,
  'mfa-required': 401,
  'forbidden': 403,
  'csrf-failed': 403,
  'not-found': 404,
  'not-acceptable': 406,
  'conflict': 409,
  'gone': 410,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'locked': 423,
  'rate-limited': 429,
  'headers-too-large': 431,
  'internal': 500,
  'unavailable': 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ProblemDetail {
  readonly field?: string;
  readonly message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly ProblemDetail[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: { details?: readonly ProblemDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what = 'The resource') => new AppError('not-found', `${what} was not found.`);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('forbidden', message);
/** A 400 about one field: the message is both the problem's detail and the field's. */
export const invalidField = (field: string, message: string) => new AppError('validation-failed', message, { details: [{ field, message }] });
export const badRequest = (message: string, details?: readonly ProblemDetail[]) =>
  new AppError('validation-failed', message, details ? { details } : {});

export const PROBLEM_TYPE_BASE = 'https://election-ops-center.org/problems/';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemDetail[];
}

const TITLES: Record<ErrorCode, string> = {
  'bad-request': 'Bad request',
  'validation-failed': 'The request is not valid',
  'invalid-json': 'The body is not valid JSON',
  'unauthenticated': 'Sign-in required',
  'invalid-credentials': 'Wrong email or password',
  'invalid-token': 'The token is not valid',
  'mfa-required': 'Second factor required',
  'forbidden': 'Not allowed',
  'csrf-failed': 'Missing or wrong CSRF token',
  'not-found': 'Not found',
  'not-acceptable': 'Not acceptable',
  'conflict': 'Conflict',
  'gone': 'Gone',
  'payload-too-large': 'The request is too large',
  'unsupported-media-type': 'Unsupported media type',
  'locked': 'Temporarily locked',
  'rate-limited': 'Too many requests',
  'headers-too-large': 'Request headers too large',
  'internal': 'Internal error',
  'unavailable': 'Service unavailable',
};

export function toProblem(error: AppError, instance?: string): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: TITLES[error.code],
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.details.length > 0 ? { errors: error.details } : {}),
  };
}

/** Marks a branch that the types say cannot be reached (exhaustive switches). */
export function throwIllegalValue(value: never, name = 'value'): never {
  throw new Error(`Illegal ${name}: ${JSON.stringify(value)}`);
}
