/**
 * What a public buyer demands on an invoice, from `structures/v1/consulter` → `parametres`.
 * Order of checks as in OCA `l10n_fr_chorus_account` (docs/reference/chorus-pro-api.md §6): the "one of the two" flag wins.
 */

export const BUYER_REQUIREMENTS = ['none', 'service', 'engagement', 'service_or_engagement', 'service_and_engagement'] as const;
export type BuyerRequirement = (typeof BUYER_REQUIREMENTS)[number];

export interface RequirementFlags {
  codeServiceDoitEtreRenseigne: boolean;
  numeroEJDoitEtreRenseigne: boolean;
  gestionNumeroEJOuCodeService: boolean;
}

export function deriveRequirement(flags: RequirementFlags): BuyerRequirement {
  if (flags.gestionNumeroEJOuCodeService) return 'service_or_engagement';
  if (flags.codeServiceDoitEtreRenseigne && flags.numeroEJDoitEtreRenseigne) return 'service_and_engagement';
  if (flags.codeServiceDoitEtreRenseigne) return 'service';
  if (flags.numeroEJDoitEtreRenseigne) return 'engagement';
  return 'none';
}
