/**
 * @module Evidence: an upload is streamed to disk (never whole in memory), its SHA-256 checked against
 * the one it is stored under, kept at that content address and never changed, and recorded (ledgered)
 * with a marking that decides who may read it. Uploading the same bytes again changes nothing.
 */
import { observationMarking } from '../../core/access/markings.ts';
import type { OrgKind } from '../../core/access/organisations.ts';
import { TrucelineError, validationError } from '../../core/errors.ts';
import type { AppDeps } from '../app-deps.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export async function storeAttachment(
  deps: Pick<AppDeps, 'store' | 'clock' | 'blobs' | 'maxAttachmentBytes'>,
  input: {
    readonly sha256: string;
    readonly mediaType: string;
    readonly body: AsyncIterable<Uint8Array>;
    readonly by: { readonly userId: string; readonly orgId: string; readonly orgKind: OrgKind };
  },
): Promise<{ readonly created: boolean; readonly sizeBytes: number }> {
  if (!SHA256_HEX.test(input.sha256))
    throw validationError('the attachment address is invalid', [
      { path: 'sha256', reason: 'must be the SHA-256 of the content, 64 lower-case hex digits' },
    ]);
  const pending = await deps.blobs.write(input.body, deps.maxAttachmentBytes);
  if (pending.sha256 !== input.sha256) {
    await pending.discard();
    throw new TrucelineError(
      'E_HASH_MISMATCH',
      `the content hashes to ${pending.sha256}, not ${input.sha256}; nothing was stored`,
      { details: { expected: input.sha256, actual: pending.sha256 } },
    );
  }
  await pending.keep();
  const marking = observationMarking(input.by.orgId, input.by.orgKind);
  const created = await deps.store.attachments.record({
    sha256: input.sha256,
    sizeBytes: pending.sizeBytes,
    mediaType: input.mediaType,
    storedAtMs: deps.clock.now(),
    storedBy: input.by.userId,
    tlp: marking.tlp,
    releasableTo: JSON.stringify(marking.releasableTo),
  });
  return { created, sizeBytes: pending.sizeBytes };
}
