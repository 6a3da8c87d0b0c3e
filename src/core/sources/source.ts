/** @module Sources and sensors: who and what observes, and whether it was watching. */
import type { Marking } from '../access/markings.ts';
import { OBSERVATION_KINDS, type ObservationKind, type SensorState } from '../observations/kinds.ts';

/** Every kind an observation can have is also a kind of source, except heartbeats (any source sends those). */
export const SOURCE_KINDS = OBSERVATION_KINDS.filter(
  (kind): kind is Exclude<ObservationKind, 'heartbeat'> => kind !== 'heartbeat',
);
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** A public key a source signs its submissions with (checked from the access-control issue on). */
export interface SourceKey {
  readonly keyId: string;
  readonly algorithm: 'ed25519';
  /** SPKI public key, base64. */
  readonly publicKey: string;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
  /**
   * For a key revoked because it was compromised: from when it must be distrusted. Submissions it
   * signed at or after this time are flagged and the events built on them are fused again.
   */
  readonly compromisedAtMs: number | null;
}

/** A registered source: a sensor, a patrol team, a party that complains, an import. */
export interface Source {
  readonly id: string;
  readonly kind: SourceKind;
  /** The organisation that owns it (the mission, a member state, a party). */
  readonly organisation: string;
  readonly name: string;
  /** Fixed sensors only: where it stands. */
  readonly position: { readonly lat: number; readonly lon: number; readonly altitudeM?: number } | null;
  /** Fixed sensors only: degrees clockwise from north the sensor faces (cameras, radars). */
  readonly orientationDeg: number | null;
  /** What it can sense, e.g. `{ "rangeKm": 20 }`; hidden from the parties by the access policy. */
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly keys: readonly SourceKey[];
  readonly registeredAtMs: number;
  /** Who may receive the source's description (default `DEFAULT_MARKINGS.source`). */
  readonly marking: Marking;
}

/** What a sensor's last heartbeats said, so "no events" can be told from "not watched". */
export interface SensorStatus {
  readonly sourceId: string;
  readonly state: SensorState;
  /** Since when it has been in this state (the observed time of the heartbeat that changed it). */
  readonly sinceMs: number;
  readonly lastHeartbeatMs: number;
}
