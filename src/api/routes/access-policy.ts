/**
 * @module `GET /api/v1/access-policy`: the rules of who may read and do what, as the server runs
 * them, for anyone to read — with the version the ledger recorded and that record's entry, so a party
 * can check with an inclusion proof that the rules it reads are the rules on the record.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { policyInForce } from '../../application/access/record-access-policy.ts';

const accessPolicySchema = z
  .object({
    policy: z
      .record(z.string(), z.unknown())
      .describe(
        'Each action’s grant (roles, token scope), the scopes of each role, the organisation kinds a role may be held in, what each kind of organisation sees, the public’s coarsening, the reads recorded and the default markings',
      ),
    contentSha256: z.string().describe('SHA-256 of the policy’s canonical JSON (RFC 8785), hex'),
    recorded: z
      .object({
        version: z.number().int().min(1),
        recordedAt: z.string().describe('When this version was first put in force (UTC)'),
        ledgerIndex: z
          .number()
          .int()
          .nullable()
          .describe('The ledger entry of the `access-policy` record, for an inclusion proof'),
      })
      .nullable()
      .describe('The recorded version this policy is (null if the server has not recorded it)'),
  })
  .meta({ id: 'AccessPolicy' });

export function accessPolicyRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();
    const { document: policy, contentSha256 } = policyInForce(deps);

    route.get(
      '/api/v1/access-policy',
      {
        config: { action: 'access-policy:read' },
        schema: {
          summary: 'The access policy in force, and its version on the record',
          description:
            'The policy the server runs with, as data. The server ledgers it as an `access-policy` record whenever it starts with a policy that differs from the last one recorded; `recorded.ledgerIndex` is that entry.',
          tags: ['access'],
          response: { 200: accessPolicySchema },
        },
      },
      async () => {
        const latest = await deps.store.access.latestPolicy();
        if (latest === undefined || latest.contentSha256 !== contentSha256)
          return { policy, contentSha256, recorded: null };
        const entry = await deps.store.ledger.findEntry('access-policy', latest.version);
        return {
          policy,
          contentSha256,
          recorded: {
            version: latest.version,
            recordedAt: new Date(latest.recordedAtMs).toISOString(),
            ledgerIndex: entry?.index ?? null,
          },
        };
      },
    );
  };
}
