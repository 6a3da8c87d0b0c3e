/**
 * @module `GET /api/v1/stream`: Server-Sent Events of committed facts. Each message's `id:` is the
 * commit sequence; `Last-Event-ID` (or `?after=`) resumes after it. Facts are read from the store,
 * never from memory: a commit notification (or, for writes by another process, a short poll) only
 * wakes the reader. Headers and `: connected` go out at once, then a comment every 15 s while idle.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrucelineError } from '../../core/errors.ts';
import type { AppDeps } from '../../application/app-deps.ts';
import type { Notice } from '../../application/notifier.ts';
import {
  decide,
  mayRead,
  PUBLIC_PRINCIPAL,
  readerOrg,
  viewFor,
  type Principal,
} from '../../core/access/policy.ts';
import { STREAM_EVENTS, type StreamEventName } from '../../shared/wire.ts';
import { presentEvent, presentViolation } from '../presenters/fusion-presenter.ts';
import { presentObservationJson } from '../presenters/observation-presenter.ts';
import { credentialsStillHold } from '../access.ts';

export interface StreamOptions {
  /** Comment interval while idle. */
  readonly heartbeatMs: number;
  /** How often to look for commits made by other processes. */
  readonly pollMs: number;
  /** Rows read per store call. */
  readonly batch: number;
  /** How often an open stream checks that its reader's credentials still hold (default 5 s). */
  readonly credentialCheckMs?: number;
  /** Streams open at once per token or session, and per address for the public (default 16). */
  readonly maxOpenPerReader?: number;
}

/** Bytes a stream may hold unsent for a reader that does not read; past them it is closed. */
export const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

const seqText = z.string().regex(/^\d{1,15}$/, { error: 'must be a commit sequence (digits)' });

export function streamRoutes(deps: AppDeps, options: StreamOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    const open = new Set<() => void>();
    const openPerReader = new Map<string, number>();
    // Streams are hijacked from Fastify, so closing the app must end them itself.
    app.addHook('onClose', async () => {
      for (const close of open) close();
    });
    app.withTypeProvider<ZodTypeProvider>().get(
      '/api/v1/stream',
      {
        config: { action: 'stream' },
        // A HEAD of an endless stream would never be answered (Node sends a HEAD's head only at end()).
        exposeHeadRoute: false,
        schema: {
          summary: 'Live stream of committed facts (Server-Sent Events)',
          description: `Events: ${STREAM_EVENTS.join(', ')}. Each observation, event and violation message's id is the commit sequence; send Last-Event-ID (or ?after=) to resume after it. Without either, the stream starts with what is committed after you connect. Case messages (an action on a case: its id, new version and state, the action) and deadline messages are live only, without an id, to the mission, the Commission and the case's parties (the members' deliberation to members only). A closed message ends the stream once the reader's credentials no longer hold (a token revoked or expired, a session ended, an account disabled or changed): reconnecting is refused, or sees the new view. At most 16 streams are open at once per token or session, and per address for the public (429 past them); a reader that leaves 4 MiB unread is disconnected.`,
          tags: ['stream'],
          querystring: z.strictObject({ after: seqText.optional() }),
          headers: z.object({ 'last-event-id': seqText.optional() }).loose(),
        },
      },
      async (request, reply) => {
        // Each open stream holds a connection, timers and buffers: a reader gets a bounded number.
        const p = request.principal;
        const reader = p.type === 'user' ? `credential:${p.credentialId}` : `address:${request.ip}`;
        const limit = options.maxOpenPerReader ?? 16;
        if ((openPerReader.get(reader) ?? 0) >= limit)
          throw new TrucelineError(
            'E_RATE_LIMITED',
            `${limit} streams are open for this ${p.type === 'user' ? 'token or session' : 'address'} already; close one first`,
            { details: { limit, retryAfterSeconds: 5 } },
          );
        // The slot is taken before anything is awaited, and given back however the stream ends —
        // also when the client hangs up while it opens (its 'close' has fired before any listener
        // attached after a wait could hear it).
        openPerReader.set(reader, (openPerReader.get(reader) ?? 0) + 1);
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          const left = (openPerReader.get(reader) ?? 1) - 1;
          if (left > 0) openPerReader.set(reader, left);
          else openPerReader.delete(reader);
        };
        reply.raw.once('close', release);
        let start: number;
        try {
          const resumeFrom = request.headers['last-event-id'] ?? request.query.after;
          start = resumeFrom === undefined ? await deps.store.observations.durableSeq() : Number(resumeFrom);
        } catch (error) {
          release();
          throw error;
        }
        if (request.raw.destroyed || reply.raw.destroyed) {
          // The client left while it opened: nothing to send, nothing to keep.
          reply.hijack();
          release();
        } else {
          const close = runStream(deps, options, request, reply, start);
          open.add(close);
          reply.raw.once('close', () => open.delete(close));
        }
        return reply;
      },
    );
  };
}

interface Message {
  readonly seq: number;
  readonly event: StreamEventName;
  readonly data: string;
}

/**
 * The messages after `afterSeq` the reader may have, in commit order: observations, and fusion's
 * event and violation revisions, merged, up to the last sequence committed when the round began —
 * shaped by the access policy exactly as the REST routes shape them. When either read comes back
 * full, nothing past its last sequence is sent yet (the other kind may hold earlier sequences beyond
 * what was read). `upTo` is how far this round looked, sent or not.
 */
async function nextMessages(
  deps: AppDeps,
  principal: Principal,
  afterSeq: number,
  batch: number,
): Promise<{ messages: Message[]; upTo: number }> {
  // Everything at or below the last committed sequence is visible to both reads that follow; what
  // commits meanwhile waits for the next round, so neither kind can slip past the other. Only what is
  // on disk goes out: a commit whose log is still being synced waits for the round its sync wakes.
  const latest = await deps.store.observations.durableSeq();
  if (latest <= afterSeq) return { messages: [], upTo: afterSeq };
  const [rows, changes] = await Promise.all([
    deps.store.observations.listAfter(afterSeq, batch),
    deps.store.fusion.changesAfter(afterSeq, batch),
  ]);
  let upTo = latest;
  if (rows.length === batch) upTo = Math.min(upTo, rows.at(-1)?.seq ?? upTo);
  if (changes.length === batch) upTo = Math.min(upTo, changes.at(-1)?.seq ?? upTo);
  const view = viewFor(principal);
  const messages: Message[] = [];
  for (const row of rows)
    if (row.seq <= upTo && mayRead(principal, row.marking))
      messages.push({ seq: row.seq, event: 'observation', data: presentObservationJson(row, view) });
  for (const change of changes) {
    if (change.seq > upTo || !mayRead(principal, change.stored.marking)) continue;
    messages.push(
      change.type === 'event'
        ? { seq: change.seq, event: 'event', data: JSON.stringify(presentEvent(change.stored, view)) }
        : {
            seq: change.seq,
            event: 'violation',
            data: JSON.stringify(presentViolation(change.stored, view)),
          },
    );
  }
  return { messages: messages.sort((a, b) => a.seq - b.seq), upTo };
}

/**
 * Whether a reader receives a notice (a case's action or deadline): the mission, and the
 * organisations the notice names (the case's Commission and parties).
 */
function mayReceive(principal: Principal, notice: Notice): boolean {
  // As for reading the source: its details, as its state is shown.
  if (notice.event === 'sensor')
    return (
      decide(principal, 'sources:read') === 'allow' &&
      viewFor(principal).sensorDetails &&
      (notice.marking === undefined || mayRead(principal, notice.marking))
    );
  // As for reading the case itself: a user whose token may read.
  if (decide(principal, 'cases:read') !== 'allow') return false;
  const org = readerOrg(principal);
  return org.kind === 'mission' || notice.recipients.includes(org.id);
}

/** Starts streaming; returns the function that ends the stream. */
function runStream(
  deps: AppDeps,
  options: StreamOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  start: number,
): () => void {
  // The stream is open to everyone; what it carries is read as the reader's token allows: a token
  // without the `read` scope (an ingest client's) reads what the public reads.
  const principal = request.principal;
  const reader =
    principal.type === 'user' && !principal.scopes.includes('read') ? PUBLIC_PRINCIPAL : principal;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');

  let lastSeq = start;
  // Read through isClosed(), so the checks after each await see what close() did meanwhile.
  const state = { closed: false };
  const isClosed = (): boolean => state.closed;
  const wantedAgain = (): boolean => wanted.again;
  let pumping = false;
  const wanted = { again: false };
  let lastWrite = Date.now();

  const write = async (text: string): Promise<void> => {
    // A reader that does not read: notices and heartbeats would pile up in memory without end.
    if (res.writableLength > MAX_UNSENT_BYTES) {
      close(true);
      return;
    }
    lastWrite = Date.now();
    if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve));
  };

  const pump = async (): Promise<void> => {
    if (pumping) {
      wanted.again = true;
      return;
    }
    pumping = true;
    try {
      do {
        wanted.again = false;
        for (;;) {
          const { messages, upTo } = await nextMessages(deps, reader, lastSeq, options.batch);
          if (isClosed() || upTo <= lastSeq) break;
          for (const message of messages) {
            await write(`id: ${message.seq}\nevent: ${message.event}\ndata: ${message.data}\n\n`);
            lastSeq = message.seq;
            if (isClosed()) return;
          }
          // Past what this reader may not have, too, so it is not read again.
          lastSeq = upTo;
        }
      } while (wantedAgain() && !isClosed());
    } catch (error) {
      request.log.error({ err: error }, 'live stream failed');
      close();
    } finally {
      pumping = false;
    }
  };

  const wake = (): void => void pump();
  const unsubscribe = deps.notifier.subscribe((seq) => {
    if (seq > lastSeq) wake();
  });
  // Case and deadline notices are live only (not facts of the commit sequence): sent to whoever may
  // follow the case.
  const stopNotices = deps.notifier.subscribeNotices((notice) => {
    if (state.closed || !mayReceive(reader, notice)) return;
    void write(`event: ${notice.event}\ndata: ${notice.data}\n\n`);
  });
  const poll = setInterval(wake, options.pollMs);
  // A stream outlives the check made when it opened: a token revoked or expired, a session ended or
  // an account changed since ends it (the client's reconnection is then refused or sees its new view).
  let checking = false;
  const recheck = setInterval(() => {
    if (checking || state.closed) return;
    checking = true;
    credentialsStillHold(deps, request, principal)
      .then((holds) => {
        if (holds || state.closed) return;
        res.write(
          'event: closed\ndata: {"code":"E_TOKEN_EXPIRED","message":"the reader’s credentials no longer hold"}\n\n',
        );
        close();
      })
      .catch((error: unknown) => request.log.error({ err: error }, 'live stream: credentials check failed'))
      .finally(() => (checking = false));
  }, options.credentialCheckMs ?? 5_000);
  const heartbeat = setInterval(
    () => {
      if (Date.now() - lastWrite >= options.heartbeatMs) void write(`: idle ${new Date().toISOString()}\n\n`);
    },
    Math.min(options.heartbeatMs, 1000),
  );

  /** Ends the stream; `drop`: at once, unsent bytes discarded (a reader that does not read). */
  const close = (drop = false): void => {
    if (state.closed) return;
    state.closed = true;
    unsubscribe();
    stopNotices();
    clearInterval(poll);
    clearInterval(recheck);
    clearInterval(heartbeat);
    // Dropped, not ended, for a reader that does not read: ending would wait for it, buffer kept.
    if (drop) res.destroy();
    else res.end();
  };
  res.on('close', () => close());
  request.raw.on('close', () => close());
  if (res.destroyed || request.raw.destroyed) close();
  else wake();
  return close;
}
