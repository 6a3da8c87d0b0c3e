/** @module How a source leaves the server, with its sensor state. */
import type { SensorStatus, Source } from '../../core/sources/source.ts';
import type { SourceWire } from '../../shared/wire.ts';

export function presentSource(source: Source, status: SensorStatus | undefined): SourceWire {
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
    })),
    registeredAt: new Date(source.registeredAtMs).toISOString(),
    status:
      status === undefined
        ? null
        : {
            state: status.state,
            since: new Date(status.sinceMs).toISOString(),
            lastHeartbeat: new Date(status.lastHeartbeatMs).toISOString(),
          },
  };
}
