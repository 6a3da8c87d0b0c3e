/** @module Secrets and opaque ids from node:crypto's CSPRNG. */
import { randomBytes } from 'node:crypto';
import type { Secrets } from '../../core/ports/secrets.ts';

export const nodeSecrets: Secrets = {
  randomToken: (bytes) => randomBytes(bytes).toString('base64url'),
  randomId: () => randomBytes(16).toString('hex'),
};
