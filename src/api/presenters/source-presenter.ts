/**
 * @module How a source leaves the server, with its sensor state. Readers without the policy's
 * `sensorDetails` (the parties) get its id, kind and owning organisation only: a position, an
 * orientation, a capability or even an outage would tell them where and how they are watched — nor
 * what fusion set aside of a sensor's reports.
 */
import type { View } from '../../core/access/policy.ts';
import type { SetAsideSummary } from '../../core/ports/fusion-store.ts';
import type { SensorStatus, Source } from '../../core/sources/source.ts';
import { toSetAsideWire, type SourceWire } from '../../shared/wire.ts';

export function presentSource(
  source: Source,
  status: SensorStatus | undefined,
  view: View,
  setAside: readonly SetAsideSummary[] = [],
): SourceWire {
  if (!view.sensorDetails) return { id: source.id, kind: source.kind, organisation: source.organisation };
  return {
    id: source.id,
    kind: source.kind,
    organisation: source.organisation,
    name: source.name,
    position: source.position,
    orientationDeg: source.orientationDeg,
    capabilities: source.capabilities,
    keys: source.keys.map((k) => ({
      keyId: k.keyId,
      algorithm: k.algorithm,
      createdAt: new Date(k.createdAtMs).toISOString(),
      revokedAt: k.revokedAtMs === null ? null : new Date(k.revokedAtMs).toISOString(),
      compromisedAt: k.compromisedAtMs === null ? null : new Date(k.compromisedAtMs).toISOString(),
    })),
    registeredAt: new Date(source.registeredAtMs).toISOString(),
    marking: { tlp: source.marking.tlp, releasableTo: [...source.marking.releasableTo] },
    status:
      status === undefined
        ? null
        : {
            state: status.state,
            since: new Date(status.sinceMs).toISOString(),
            lastHeartbeat: new Date(status.lastHeartbeatMs).toISOString(),
          },
    setAside: setAside.filter((a) => a.sourceId === source.id).map(toSetAsideWire),
  };
}
