/** @module Passwords hashed with argon2id (the `argon2` package, OWASP's recommended parameters). */
import argon2 from 'argon2';
import type { PasswordHasher } from '../../core/ports/password-hasher.ts';

/** argon2id, 19 MiB, 2 passes, 1 lane: OWASP's minimum for argon2id, about 30 ms here. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const argon2Passwords: PasswordHasher = {
  hash: (password) => argon2.hash(password, OPTIONS),
  verify: async (encoded, password) => {
    try {
      return await argon2.verify(encoded, password);
    } catch {
      return false;
    }
  },
};
