/** @module Port: password hashing (a maintained memory-hard hash; the adapter is argon2id). */

export interface PasswordHasher {
  /** The encoded hash of `password` (algorithm, parameters and salt included). */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `encoded`; false (never a throw) for a malformed hash. */
  verify(encoded: string, password: string): Promise<boolean>;
}
