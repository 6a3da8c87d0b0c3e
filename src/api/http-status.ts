/** @module The one map from error codes to HTTP statuses. */
import type { ErrorCode } from '../core/errors.ts';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  E_VALIDATION: 400,
  E_BAD_REQUEST: 400,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_PAYLOAD_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_AGREEMENT_INVALID: 422,
  E_NO_TERMS_IN_FORCE: 404,
  E_UNKNOWN_SOURCE: 422,
  E_STORE: 503,
  E_UNSUPPORTED: 501,
  E_INTERNAL: 500,
};
