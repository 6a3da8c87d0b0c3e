/** @module The terms of an agreement as they stand in one version: what the rules and the Commission read. */
import type { KeyedSection, WholeSection } from './kinds.ts';
import type {
  AreaOfApplication,
  Bbox,
  CommissionSettings,
  EscalationStep,
  Party,
  ProhibitedConduct,
  ReferenceLine,
  Side,
  WeaponClass,
  Zone,
} from './schema.ts';

/** The item type of each section an amendment changes item by item. */
export interface KeyedItems {
  readonly parties: Party;
  readonly referenceLines: ReferenceLine;
  readonly sides: Side;
  readonly weaponClasses: WeaponClass;
  readonly zones: Zone;
  readonly prohibitedConduct: ProhibitedConduct;
}

/** The value type of each section an amendment replaces whole. */
export interface WholeValues {
  readonly areaOfApplication: AreaOfApplication;
  readonly reportingDayCutoff: string;
  readonly commission: CommissionSettings;
  readonly escalationLadder: readonly EscalationStep[];
}

/**
 * The terms in force over one period: the agreement's base terms with every amendment up to this
 * version applied. A potential violation cites `version`.
 */
export type Terms = {
  readonly agreementId: string;
  readonly title: string;
  /** `<agreement id>@<n>`: `@1` is the base text, `@2` the text after the first amendment, and so on. */
  readonly version: string;
  readonly versionNumber: number;
  /** The amendment that made this version, or null for the base text. */
  readonly amendmentId: string | null;
  /** When this version took effect, as written in the document, and in ms since the epoch. */
  readonly effectiveAt: string;
  readonly effectiveFromMs: number;
  /** When the next version took effect, or null while this one is the latest. */
  readonly effectiveUntilMs: number | null;
  /** The IANA time zone of the agreement: local times (the reporting-day cut-off) are in it. */
  readonly timeZone: string;
  /**
   * The bounding box every position of the terms lies in: the area of application's bbox, or when it
   * names only admin-1 units, the bounding box of the sides widened by 0.25°.
   */
  readonly extent: Bbox;
} & { readonly [K in KeyedSection]: readonly KeyedItems[K][] } & {
  readonly [K in WholeSection]: WholeValues[K];
};
