/** @module Which of the agreement's weapon classes each simulated weapon type belongs to. */
import type { Terms } from '../../core/agreement/index.ts';
import { WEAPON_TYPES, type WeaponType } from './truth.ts';

/** Patterns tried in order against a class's id. */
const PATTERNS: Readonly<Record<WeaponType, readonly RegExp[]>> = {
  mortar: [/mortar/i],
  gun: [/tank/i, /(under|below)-?100/i],
  'tube-artillery': [/^(?!.*(under|below)).*(artillery|howitzer)/i],
  mlrs: [/^(?!.*long-range).*(mlrs|rocket)/i],
};

/**
 * The agreement's weapon class id for each weapon type, or null when none fits (a ceasefire that does
 * not name mortars still forbids firing them; the round then carries no class).
 */
export function weaponClassesOf(terms: Pick<Terms, 'weaponClasses'>): Record<WeaponType, string | null> {
  const result = {} as Record<WeaponType, string | null>;
  for (const type of WEAPON_TYPES) {
    let found: string | null = null;
    for (const pattern of PATTERNS[type]) {
      found = terms.weaponClasses.find((c) => pattern.test(c.id))?.id ?? null;
      if (found !== null) break;
    }
    result[type] = found;
  }
  return result;
}
