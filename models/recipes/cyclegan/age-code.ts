/**
 * Continuous age condition: a vector with one entry per domain, linear interpolation between the
 * two neighbouring domain centres (clamped at the ends). With domains centred at 23 and 72, age 23
 * is [1, 0], age 72 is [0, 1] and age 47.5 is [0.5, 0.5], so the studio's 0-90 slider moves
 * smoothly between what the generator learnt for each domain.
 */
import { centreWeights } from '../../nn/centre-weights';
import type { AgeGroups } from '../../data/age-bins';
import { domainCentre, type AgeDomain } from './config';

export function ageCode(age: number, domains: readonly AgeDomain[]): Float32Array {
  return centreWeights(age, domains.map(domainCentre), new Float32Array(domains.length));
}

/** Index of the domain whose range holds `age` (max inclusive in whole years), or -1. */
export function domainOf(age: number, domains: readonly AgeDomain[]): number {
  return domains.findIndex((d) => age >= d.min && (d.max === null || age < d.max + 1));
}

/** Codes of several ages, row-major [ages.length, domains.length]. */
export function ageCodes(ages: ArrayLike<number>, domains: readonly AgeDomain[]): Float32Array {
  const g = domains.length;
  const out = new Float32Array(ages.length * g);
  for (let i = 0; i < ages.length; i++) out.set(ageCode(ages[i], domains), i * g);
  return out;
}

/**
 * A target age in domain `d` for training: its centre, or uniform over its range (open-ended
 * domains span 20 years) when `uniform`.
 */
export function sampleDomainAge(d: AgeDomain, uniform: boolean, rand: () => number): number {
  if (!uniform) return domainCentre(d);
  const hi = d.max === null ? d.min + 20 : d.max + 1;
  return d.min + rand() * (hi - d.min);
}

/**
 * A CycleGAN trains on its domains only (faces between domains carry no translation signal, and
 * a batch with none of them would be an empty step), balanced per domain, not per decade.
 */
export function domainSampling(domains: AgeDomain[]): { groups: AgeGroups; ageFilter: (age: number) => boolean } {
  const sorted = [...domains].sort((a, b) => a.min - b.min);
  const edges: number[] = [0];
  const labels: string[] = ['(outside)'];
  for (const d of sorted) {
    if (d.min > edges[edges.length - 1]) {
      edges.push(d.min);
      labels.push(d.name);
    } else labels[labels.length - 1] = d.name;
    if (d.max !== null) {
      edges.push(d.max + 1);
      labels.push('(outside)');
    }
  }
  return { groups: { edges, labels }, ageFilter: (age) => domainOf(age, domains) >= 0 };
}
