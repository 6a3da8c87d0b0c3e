/**
 * @module The one place errors become HTTP responses. Typed errors keep their code and issues;
 * Fastify's own errors get the matching code; anything unknown is logged and answered with
 * `E_INTERNAL` and no details.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isTrucelineError, TrucelineError } from '../core/errors.ts';
import type { ErrorResponse } from '../shared/wire.ts';
import { HTTP_STATUS } from './http-status.ts';

/** Sends `error` in the one error shape. */
export function sendError(reply: FastifyReply, error: TrucelineError): FastifyReply {
  const body: ErrorResponse = { code: error.code, message: error.message };
  if (error.issues.length > 0) body.issues = [...error.issues];
  if (Object.keys(error.details).length > 0) body.details = { ...error.details };
  const retryAfter = error.details.retryAfterSeconds;
  if (error.code === 'E_RATE_LIMITED' && typeof retryAfter === 'number' && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(retryAfter));
  return reply.code(HTTP_STATUS[error.code]).type('application/json').send(body);
}

function fromFastify(
  error: FastifyError,
  request: FastifyRequest,
  bodyLimit: number,
): TrucelineError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TrucelineError(
        'E_PAYLOAD_TOO_LARGE',
        `the request body exceeds the body limit of ${bodyLimit} bytes; nothing from it was stored`,
        { details: { limit: 'bodyLimitBytes', value: bodyLimit } },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TrucelineError(
        'E_UNSUPPORTED_MEDIA_TYPE',
        `content type ${String(request.headers['content-type'])} is not accepted here`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TrucelineError('E_BAD_REQUEST', error.message);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
        return new TrucelineError(error.statusCode === 404 ? 'E_NOT_FOUND' : 'E_BAD_REQUEST', error.message);
      return undefined;
  }
}

/** Builds the Fastify error handler. */
export function errorHandler(bodyLimit: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isTrucelineError(error)) {
      // A failure of the server's (the store, the ledger) is for the operators to see, with its cause.
      if (HTTP_STATUS[error.code] >= 500) request.log.error({ err: error }, error.message);
      return sendError(reply, error);
    }
    const mapped = fromFastify(error, request, bodyLimit);
    if (mapped !== undefined) return sendError(reply, mapped);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(
      reply,
      new TrucelineError('E_INTERNAL', 'an unexpected error occurred; it has been logged'),
    );
  };
}
