/**
 * @module The rules: fused events checked against the terms in force at their time, giving potential
 * violations (the verification issue's findings about them are a separate thing).
 */
export { checkEvent, checkEventAgainstTerms, NEAR_THE_LINE_KM, OVER_THE_LINE_KM } from './check-event.ts';
export { explainViolation, type ExplanationContext } from './explain-violation.ts';
export {
  ATTRIBUTION_CONFIDENCE,
  POSITION_SIGMA_KM,
  gradeAttribution,
  gradeObservation,
  positionSigmaKm,
  type ObservationEvidence,
} from './grade-violation.ts';
export { potentialViolationId } from './potential-violation-id.ts';
export type {
  AttributionCertainty,
  ObservationCertainty,
  PotentialViolation,
  ViolationGrade,
} from './potential-violation.ts';
