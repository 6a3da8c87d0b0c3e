/**
 * @module How a heartbeat changes a sensor's recorded status — the same rule on every store: only a
 * heartbeat at least as recent as the last one counts (late ones are stored but change nothing); a new
 * state starts a new `since`.
 */
import type { SensorState } from '../../core/observations/kinds.ts';
import type { ValidObservation } from '../../core/observations/validate-observation.ts';
import type { SensorStatus } from '../../core/sources/source.ts';

/** The state a heartbeat reports, or undefined for any other observation. */
export const heartbeatState = (observation: ValidObservation): SensorState | undefined =>
  observation.heartbeatState ?? undefined;

/** The status after `heartbeat`, or undefined when it changes nothing. */
export function sensorStatusUpdate(
  current: SensorStatus | undefined,
  heartbeat: { readonly sourceId: string; readonly state: SensorState; readonly observedAtMs: number },
): SensorStatus | undefined {
  const { sourceId, state, observedAtMs } = heartbeat;
  if (current === undefined) return { sourceId, state, sinceMs: observedAtMs, lastHeartbeatMs: observedAtMs };
  if (observedAtMs < current.lastHeartbeatMs) return undefined;
  return {
    sourceId,
    state,
    sinceMs: state === current.state ? current.sinceMs : observedAtMs,
    lastHeartbeatMs: observedAtMs,
  };
}
