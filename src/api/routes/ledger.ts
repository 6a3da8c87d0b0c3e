/**
 * @module `/api/v1/ledger`: the tamper-evident log, for anyone to check. The latest signed checkpoint
 * (with witnesses' co-signatures), the log's verifier key, inclusion and consistency proofs (RFC 9162),
 * single entries (their record opened only to readers the access policy allows), and the route a
 * witness posts its co-signature to.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { checkpointNote, verifierKeyText } from '../../application/ledger/ledger-signing.ts';
import { signCheckpoint } from '../../application/ledger/sign-checkpoint.ts';
import { addCosignature } from '../../application/ledger/add-cosignature.ts';
import { markingOfRecord } from '../../application/ledger/export-ledger.ts';
import { mayOpenRecord } from '../../core/access/record-opening.ts';
import { readerOrg } from '../../core/access/policy.ts';
import { encodeBase64 } from '../../core/ledger/base64.ts';
import { toHex } from '../../core/ledger/hash.ts';
import { notFound } from '../../core/errors.ts';
import { errorResponseSchema } from '../../shared/wire.ts';

const size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const proofSchema = z
  .object({
    proof: z.array(z.string()).describe('Hashes of the proof, base64, in RFC 9162 order'),
  })
  .meta({ id: 'LedgerProof' });

const entrySchema = z
  .object({
    index: z.number().int(),
    type: z.string(),
    id: z.string().describe('128 random bits, hex'),
    commitment: z.string().describe('SHA-256(canonical record ‖ salt), hex'),
    record: z.string().optional().describe('The canonical record committed (only if the reader may open it)'),
    salt: z.string().optional().describe('32 bytes, hex (with the record)'),
  })
  .meta({ id: 'LedgerEntry' });

const TEXT = 'text/plain; charset=utf-8';

export function ledgerRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    route.get(
      '/api/v1/ledger/checkpoint',
      {
        config: { action: 'ledger:read' },
        schema: {
          summary: 'The latest checkpoint: a C2SP signed note, with every witness co-signature',
          description:
            'Origin, tree size and root hash, signed by the log (Ed25519, signed-note), then each witness’s cosignature/v1 line. Verify with the key of `/api/v1/ledger/pubkey`.',
          tags: ['ledger'],
        },
      },
      async (_request, reply) => {
        const checkpoint = await signCheckpoint({ ...deps, ledgerSigning: deps.ledgerKey() });
        return reply.type(TEXT).send(checkpointNote(checkpoint));
      },
    );

    route.get(
      '/api/v1/ledger/pubkey',
      {
        config: { action: 'ledger:read' },
        schema: { summary: 'The log’s verifier key (signed-note verifier key text)', tags: ['ledger'] },
      },
      async (_request, reply) => reply.type(TEXT).send(`${verifierKeyText(deps.ledgerKey())}\n`),
    );

    route.get(
      '/api/v1/ledger/proofs/inclusion',
      {
        config: { action: 'ledger:read' },
        schema: {
          summary: 'Inclusion proof (audit path) of the entry at `index` in the tree of `size` entries',
          tags: ['ledger'],
          querystring: z.strictObject({ index: size, size }),
          response: { 200: proofSchema, 400: errorResponseSchema },
        },
      },
      async (request) => ({
        proof: (await deps.store.ledger.inclusionProof(request.query.index, request.query.size)).map(
          encodeBase64,
        ),
      }),
    );

    route.get(
      '/api/v1/ledger/proofs/consistency',
      {
        config: { action: 'ledger:read' },
        schema: {
          summary: 'Consistency proof between the trees of `from` and `to` entries',
          tags: ['ledger'],
          querystring: z.strictObject({ from: size, to: size }),
          response: { 200: proofSchema, 400: errorResponseSchema },
        },
      },
      async (request) => ({
        proof: (await deps.store.ledger.consistencyProof(request.query.from, request.query.to)).map(
          encodeBase64,
        ),
      }),
    );

    route.get(
      '/api/v1/ledger/entries/:index',
      {
        config: { action: 'ledger:read' },
        schema: {
          summary: 'One entry of the log; its record and salt only if the reader may open the record',
          tags: ['ledger'],
          params: z.strictObject({ index: size }),
          response: { 200: entrySchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const entry = await deps.store.ledger.entry(request.params.index);
        if (entry === undefined) throw notFound('ledger entry', String(request.params.index));
        const open = mayOpenRecord(readerOrg(request.principal), entry.type, markingOfRecord(entry.record));
        return {
          index: entry.index,
          type: entry.type,
          id: toHex(entry.id),
          commitment: toHex(entry.commitment),
          ...(open ? { record: entry.record, salt: toHex(entry.salt) } : {}),
        };
      },
    );

    route.post(
      '/api/v1/ledger/cosignatures',
      {
        config: { action: 'ledger:cosign' },
        schema: {
          summary: 'A witness’s co-signature (cosignature/v1) of a stored checkpoint',
          description:
            'The line is checked against the witness’s verifier key before it is stored; it is then served with the checkpoint. A witness name keeps the key it first co-signed with (another key: 409, a new key needs a new name), and a checkpoint takes at most 16 lines from names that never co-signed before, 98 in all (409).',
          tags: ['ledger'],
          body: z.strictObject({
            size,
            key: z.string().min(1).max(512).describe('The witness’s verifier key text (type 0x04)'),
            line: z.string().min(1).max(512).describe('The signature line, `— <name> <base64>`'),
          }),
          response: {
            204: z.null(),
            400: errorResponseSchema,
            404: errorResponseSchema,
            409: errorResponseSchema,
            422: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        await addCosignature(deps, request.body);
        return reply.code(204).send(null);
      },
    );
  };
}
