/**
 * @module Content-addressed files on disk: `<dir>/<first two hex digits>/<sha256>`. An upload streams to
 * a temporary file in `<dir>/incoming/`, hashed and measured on the way, and is renamed to its address
 * only once its hash is known and accepted — so a file at an address always holds those bytes, and is
 * never changed afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { TrucelineError } from '../../core/errors.ts';
import type { BlobStore, PendingBlob } from '../../core/ports/blob-store.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class FileBlobStore implements BlobStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #path(sha256: string): string {
    return join(this.#dir, sha256.slice(0, 2), sha256);
  }

  async write(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<PendingBlob> {
    const incoming = join(this.#dir, 'incoming');
    mkdirSync(incoming, { recursive: true });
    const temp = join(incoming, `${randomBytes(12).toString('hex')}.part`);
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes)
          throw new TrucelineError(
            'E_PAYLOAD_TOO_LARGE',
            `the attachment exceeds the limit of ${maxBytes} bytes`,
            {
              details: { limit: 'maxAttachmentBytes', maxBytes },
            },
          );
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
    } catch (error) {
      out.destroy();
      await rm(temp, { force: true });
      throw error;
    }
    const sha256 = hash.digest('hex');
    return {
      sha256,
      sizeBytes: size,
      keep: async () => {
        const target = this.#path(sha256);
        if (existsSync(target)) {
          await rm(temp, { force: true });
          return;
        }
        mkdirSync(join(this.#dir, sha256.slice(0, 2)), { recursive: true });
        await rename(temp, target);
      },
      discard: () => rm(temp, { force: true }),
    };
  }

  read(sha256: string): AsyncIterable<Uint8Array> | undefined {
    if (!SHA256_HEX.test(sha256)) return undefined;
    const path = this.#path(sha256);
    return existsSync(path) ? createReadStream(path) : undefined;
  }
}
