/**
 * How failures leave the server: one error shape, codes from the one status table,
 * and a message that is safe for the caller. Details for operators go to the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_STATUS, type ErrorCode } from '../domain/error-codes.js';
import type { Failure, Result } from '../domain/result.js';
import { isStoreUnavailable } from '../store/database.js';

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** extra response headers, e.g. Retry-After */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
  static from(failure: Failure): ApiError {
    const headers: Record<string, string> =
      failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
    return new ApiError(failure.code, failure.message, headers);
  }
}

/** The value of a Result, or the failure thrown for the error handler to answer. */
export function unwrap<T, C extends ErrorCode>(result: Result<T, C>): T {
  if (result.ok) return result.value;
  throw ApiError.from(result.error);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "body.email must match format…", naming the field the way a client wrote it. */
export function validationMessage(context: string, errors: readonly AjvError[]): string {
  const first = errors[0];
  if (!first) return `${context} is invalid`;
  const path = [context, ...first.instancePath.split('/').filter(Boolean)].join('.');
  switch (first.keyword) {
    case 'additionalProperties':
      return `${path}.${String(first.params['additionalProperty'])} is not a known field`;
    case 'required':
      return `${path}.${String(first.params['missingProperty'])} is required`;
    case 'pattern':
      return `${path} has an invalid format`;
    default:
      return `${path} ${first.message ?? 'is invalid'}`;
  }
}

const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'body must be a JSON object, not empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'VALIDATION_ERROR', message: 'body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_ERROR', message: 'Content-Length does not match the body' },
};

export function sendError(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, message: string): FastifyReply {
  return reply
    .status(ERROR_STATUS[code])
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, requestId: request.id } });
}

export function handleError(error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) {
    reply.headers(error.headers);
    return sendError(reply, request, error.code, error.message);
  }
  if (error.validation) {
    return sendError(reply, request, 'VALIDATION_ERROR', validationMessage(error.validationContext ?? 'request', error.validation));
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return sendError(reply, request, known.code, known.message);
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return sendError(reply, request, 'VALIDATION_ERROR', 'body is not valid JSON');
  }
  if (isStoreUnavailable(error)) {
    request.log.warn({ err: error }, 'store unavailable');
    reply.header('retry-after', '1');
    return sendError(reply, request, 'SERVICE_UNAVAILABLE', 'The store is briefly unavailable; retry shortly');
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(reply, request, 'INTERNAL_ERROR', 'Something went wrong; the request id identifies it in the server log');
}
