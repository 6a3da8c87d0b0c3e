/** @module Text checks shared by the schemas and the API. */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one: no character. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
