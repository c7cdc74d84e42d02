// The HTTP server factory: Fastify with strict validation (unknown fields rejected), security headers,
// body limits, rate limits, problem+json errors in one place, request metrics, OpenAPI, and the web UI.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyError, type RawServerDefault } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError, toProblem, type ProblemDetail } from './errors.js';
import { httpMetrics } from './metrics.js';
import { wellFormedText } from './well-formed.js';

export type App = FastifyInstance<RawServerDefault, import('node:http').IncomingMessage, import('node:http').ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** How a part of the address space other than problem+json (TAXII's error messages) answers an error. */
export type ErrorRenderer = (reply: FastifyReply, error: AppError) => FastifyReply;

const errorRenderers = new WeakMap<object, Array<{ prefix: string; render: ErrorRenderer }>>();

/**
 * Errors the router raises before any route or scope is chosen (an address it cannot read) under `prefix`
 * are answered by `render`, as the scope's own errors are, rather than as problem+json.
 */
export function renderErrorsUnder(app: App, prefix: string, render: ErrorRenderer): void {
  const list = errorRenderers.get(app) ?? [];
  list.push({ prefix, render });
  errorRenderers.set(app, list);
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  for (const [k, v] of Object.entries(error.headers)) void reply.header(k, v);
  return reply.status(error.status).type('application/problem+json').send(toProblem(error, request.url.split('?')[0]));
}

/**
 * One entry per field. A value that is none of a list of choices (a union of constants) says which choices
 * there are, once, rather than one "must be equal to constant" per choice.
 */
function validationDetails(error: FastifyError): ProblemDetail[] {
  const fields = new Map<string, { messages: string[]; allowed: unknown[] }>();
  for (const v of error.validation ?? []) {
    const params = v.params as Record<string, unknown>;
    const base = (v.instancePath || '').replace(/^\//, '');
    const name = params.additionalProperty
      ? [base, String(params.additionalProperty)].filter(Boolean).join('/')
      : params.missingProperty
        ? [base, String(params.missingProperty)].filter(Boolean).join('/')
        : base || (error.validationContext ?? 'body');
    const field = `${error.validationContext ?? 'body'}${name ? `/${name}` : ''}`.replace(/^(\w+)\/\1\//, '$1/');
    const entry = fields.get(field) ?? { messages: [], allowed: [] };
    fields.set(field, entry);
    if (v.keyword === 'const' && 'allowedValue' in params) entry.allowed.push(params.allowedValue);
    else if (v.keyword === 'anyOf' && entry.allowed.length) continue;
    else {
      const message = params.additionalProperty ? 'unknown field' : (v.message ?? 'invalid');
      if (!entry.messages.includes(message)) entry.messages.push(message);
    }
  }
  return [...fields].map(([field, e]) => ({
    field,
    message: [...(e.allowed.length ? [`must be one of: ${e.allowed.map((a) => String(a)).join(', ')}`] : []), ...e.messages].join('; '),
  }));
}

/** Maps any thrown error to problem+json; only a genuine bug becomes a 500, and it never shows a stack. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { statusCode?: number };
  if (e.validation) return new AppError('validation-failed', 'Some fields are missing or not valid.', { details: validationDetails(e) });
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported-media-type', 'This content type is not accepted here; send application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload-too-large', 'The request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid-json', 'The body is empty but the content type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid-json', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('bad-request', 'The Content-Length header does not match the body.');
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return new AppError('rate-limited', 'Too many requests. Wait a moment and try again.');
    default:
      break;
  }
  if (error instanceof SyntaxError && e.statusCode === 400) return new AppError('invalid-json', 'The body is not valid JSON.');
  if (e.statusCode === 429) return new AppError('rate-limited', 'Too many requests. Wait a moment and try again.');
  if (e.statusCode === 413) return new AppError('payload-too-large', 'The request is too large.');
  if (e.statusCode === 415) return new AppError('unsupported-media-type', 'This content type is not accepted here.');
  if (e.statusCode === 406) return new AppError('not-acceptable', e.message);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new AppError('bad-request', e.message || 'Bad request.');
  return new AppError('internal', 'Something went wrong on our side. The error was logged.');
}

/** The headers helmet sets with our policy: strict CSP (no inline code), HSTS, no referrer, no framing. */
export function securityHeaders(): Record<string, string> {
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  middleware({} as never, res as never, () => undefined);
  return headers;
}

export interface ServerOptions {
  readonly config: Config;
  readonly log: Logger;
}

export async function createServer(options: ServerOptions): Promise<App> {
  const { config } = options;
  const headers = securityHeaders();
  const app = Fastify({
    loggerInstance: options.log,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    http: { maxHeaderSize: 16 * 1024 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    // Each request is logged (method, URL, status, time; never headers) at info level.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // An address the router cannot read (a broken %-escape) gets a problem document like any other error,
    // or the error message of the protocol whose address it is (TAXII under /taxii2/).
    frameworkErrors(error, request, reply) {
      const bad = error.code === 'FST_ERR_BAD_URL';
      void reply.headers(headers);
      const appError = new AppError(bad ? 'bad-request' : 'internal', bad ? 'The address has a %-escape that is not valid UTF-8.' : 'Something went wrong on our side.');
      const own = errorRenderers.get(app)?.find((r) => request.url.startsWith(r.prefix));
      return own ? own.render(reply, appError) : sendProblem(reply, request, appError);
    },
    // Malformed requests caught by Node's parser still get a problem document, never a bare socket error.
    clientErrorHandler(err, socket) {
      const code = (err as NodeJS.ErrnoException).code;
      const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const title = status === 431 ? 'Request headers too large' : 'Bad request';
      const body = JSON.stringify({ type: `https://election-ops-center.org/problems/${status === 431 ? 'headers-too-large' : 'bad-request'}`, title, status, code: status === 431 ? 'headers-too-large' : 'bad-request', detail: title });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else socket.destroy();
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  await app.register(cookie);
  // Security headers from helmet (worked out once, before the server: they are the same on every answer) set by
  // a synchronous hook, rather than re-derived from the options on every request.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
  await app.register(rateLimit, {
    global: config.apiRateLimit > 0,
    max: config.apiRateLimit || 1_000_000,
    timeWindow: '1 minute',
    keyGenerator: (req) => (req.headers.authorization ? `auth:${req.headers.authorization.slice(-16)}` : req.ip),
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error(`Too many requests. Try again in ${Math.ceil(ctx.ttl / 1000)} s.`), { statusCode: 429 }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Election Ops Center API', version: '1', description: 'REST API of Election Ops Center. Errors are RFC 9457 problem+json documents with a stable `code`.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token (eoc_…) created in the web UI or with `eoc tokens create`.' },
          session: { type: 'apiKey', in: 'cookie', name: 'eoc_session', description: 'Browser session; changes need the X-CSRF-Token header.' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  httpMetrics(app);

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return sendProblem(reply, request, appError);
  });

  wellFormedText(app);

  const hasWeb = fs.existsSync(path.join(webDistDir, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDistDir, prefix: '/', wildcard: false, index: false, cacheControl: false });
  }
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    const isApi = url.startsWith('/api') || url.startsWith('/taxii2') || url === '/metrics';
    if (!isApi && request.method === 'GET' && hasWeb) {
      // Client-side routes of the single-page app.
      if (/^\/assets\//.test(url)) return sendProblem(reply, request, new AppError('not-found', 'No such file.'));
      return reply.header('cache-control', 'no-store').sendFile('index.html');
    }
    return sendProblem(reply, request, new AppError('not-found', `No route for ${request.method} ${url}.`));
  });
  return app;
}
