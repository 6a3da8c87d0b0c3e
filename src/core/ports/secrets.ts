/** @module Port: randomness for secrets and opaque ids (the adapter uses the operating system's CSPRNG). */

export interface Secrets {
  /** `bytes` random bytes as base64url (no padding): token and cookie secrets. */
  randomToken(bytes: number): string;
  /** A random 128-bit id as 32 lowercase hex digits. */
  randomId(): string;
}
