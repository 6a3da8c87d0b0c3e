/**
 * @module A live demonstration feed: the UCDP GED events of Ukraine 2014–2022 replayed, time
 * compressed, as new OSINT observations "now" (each says which historical event it replays). It
 * goes through the same use case as every other ingest. Stands in until the simulator exists.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { AppDeps } from '../application/app-deps.ts';
import { recordObservations } from '../application/record-observations.ts';
import { registerSource } from '../application/register-source.ts';
import { ucdpGedRowToObservation } from '../core/observations/ucdp-ged-row.ts';

export const REPLAY_SOURCE_ID = 'ucdp-replay';
export const REPLAY_CSV = new URL('../../data/demo/ucdp-ged-ukraine-2014-2022.csv', import.meta.url);

interface Replayable {
  readonly value: Record<string, unknown> & {
    location: unknown;
    payload: Record<string, unknown>;
    observedAt: string;
  };
}

/** Starts the feed; returns the function that stops it. */
export async function startUcdpReplay(
  deps: AppDeps,
  options: { intervalMs: number; onError: (error: unknown) => void },
): Promise<() => void> {
  await registerSource(deps, {
    id: REPLAY_SOURCE_ID,
    kind: 'osint',
    organisation: 'mission',
    name: 'Demonstration: UCDP GED Ukraine 2014–2022 replayed live (CC BY 4.0)',
  });
  const rows = parse<Record<string, string>>(await readFile(REPLAY_CSV), { columns: true, bom: true });
  const events = rows
    .map(ucdpGedRowToObservation)
    .filter((r): r is Replayable => 'value' in r)
    .sort((a, b) => a.value.observedAt.localeCompare(b.value.observedAt));
  const runId = Date.now().toString(36);
  let n = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || events.length === 0) return;
    const event = events[n % events.length];
    if (event === undefined) return;
    n += 1;
    busy = true;
    const original = event.value;
    const value = {
      id: `replay-${runId}-${n}`,
      sourceId: REPLAY_SOURCE_ID,
      kind: 'osint',
      observedAt: new Date(deps.clock.now()).toISOString(),
      timeUncertaintyMs: 60_000,
      location: original.location,
      payload: original.payload,
      text: `Replay of UCDP GED event ${String(original.payload.externalId)} (${original.observedAt.slice(0, 10)})`,
    };
    recordObservations(deps, {
      input: { format: 'records', records: [{ position: 0, text: JSON.stringify(value), value }] },
      origin: 'demo',
    })
      .catch(options.onError)
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs);
  return () => clearInterval(timer);
}
