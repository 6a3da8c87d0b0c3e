/**
 * @module The agreement as data: parse and check a document, get the terms in force at a time, and
 * answer the geometric questions the rules ask — whose side a point is on, how far it lies from a
 * party's reference line, whether it lies in an area. See docs/agreement-format.md.
 */
export { parseAgreement, type AgreementFormat, type ParsedAgreement } from './parse-agreement.ts';
export { termsInForce, getTermsInForce } from './terms-in-force.ts';
export { agreementVersions } from './agreement-versions.ts';
export type { Terms } from './terms.ts';
export { sideOf } from './side-of.ts';
export { distanceToLineKm, findReferenceLine, getReferenceLine } from './distance-to-line.ts';
export { polylineDistance, type PolylineDistance } from './polyline-distance.ts';
export { containsPoint } from './contains-point.ts';
export { checkGeometry, inBbox } from './check-geometry.ts';
export { geodesicAreaKm2 } from './geodesic.ts';
export {
  AGREEMENT_FORMAT,
  DECISION_RULES,
  EVENT_KINDS,
  ZONE_KINDS,
  isDecisionRule,
  isEventKind,
  isZoneKind,
  type DecisionRule,
  type EventKind,
  type ZoneKind,
} from './kinds.ts';
export {
  AGREEMENT_LIMITS,
  agreementSchema,
  type Agreement,
  type Amendment,
  type AmendmentChanges,
  type AreaGeometry,
  type AreaOfApplication,
  type Bbox,
  type BufferZone,
  type CalibreRange,
  type CommissionMember,
  type CommissionSettings,
  type DisengagementArea,
  type EscalationStep,
  type LimitationZone,
  type LineStringGeometry,
  type Party,
  type Position,
  type ProhibitedConduct,
  type ReferenceLine,
  type Side,
  type WeaponClass,
  type Zone,
} from './schema.ts';
