/** @module SHA-256 from node:crypto (8–11× faster than pure-JS libraries on this machine). */
import { createHash, hash } from 'node:crypto';
import type { Sha256Hex } from '../../core/ports/hasher.ts';

/** SHA-256 of a string's UTF-8 bytes, hex. `crypto.hash` (Node ≥ 20.12) is faster than createHash for small inputs. */
export const nodeSha256: Sha256Hex = (text) => hash('sha256', text, 'hex');

/** SHA-256 of raw bytes, hex. */
export const nodeSha256Bytes = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');
