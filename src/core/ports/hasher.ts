/** @module Port: the hash function, injected so the core stays free of node:crypto. */

/** SHA-256 of the UTF-8 bytes of `text`, as 64 lowercase hex digits. */
export type Sha256Hex = (text: string) => string;
