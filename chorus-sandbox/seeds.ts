/**
 * Structures the sandbox holds after start and after every reset. The public buyers reuse the SIRETs other
 * integrators report for the PISTE qualification environment (docs/reference/chorus-pro-api.md §6), which pass the Luhn check;
 * the suppliers are fictitious Agrilocal producers. docs/chorus.md lists them for people driving the sandbox.
 */
import { hasLuhnKey } from '../domain/siret';

export type StructureKind = 'PUBLIC' | 'SUPPLIER';

export interface ServiceSeed {
  codeService: string;
  libelle: string;
  actif: boolean;
  /** `consulter/service` → `parametres.numeroEngagement`: this service wants a commitment number. */
  numeroEngagement?: boolean;
}

export interface StructureSeed {
  siret: string;
  designation: string;
  type: StructureKind;
  codeServiceDoitEtreRenseigne?: boolean;
  numeroEJDoitEtreRenseigne?: boolean;
  /** "A service code or a commitment number" (takes precedence, like in OCA). */
  gestionNumeroEJOuCodeService?: boolean;
  /** Supplier attached to the technical account (default true). */
  attached?: boolean;
  services?: readonly ServiceSeed[];
}

export const SANDBOX_SEEDS = {
  buyers: {
    /** Requires nothing beyond both SIRETs. */
    noRequirement: {
      siret: '12345678200051',
      designation: 'COLLEGE JEAN MOULIN (sans exigence)',
      type: 'PUBLIC',
      services: [{ codeService: 'INTENDANCE', libelle: 'Intendance', actif: true }],
    },
    /** numeroEJDoitEtreRenseigne: BT-13 (BuyerOrderReferencedDocument) is mandatory. */
    engagementRequired: {
      siret: '12345678200036',
      designation: 'DEPARTEMENT DE TEST (engagement obligatoire)',
      type: 'PUBLIC',
      numeroEJDoitEtreRenseigne: true,
    },
    /** codeServiceDoitEtreRenseigne: BT-10 (BuyerReference) must name an active service. */
    serviceRequired: {
      siret: '12345678200028',
      designation: 'LYCEE AGRICOLE DE TEST (service obligatoire)',
      type: 'PUBLIC',
      codeServiceDoitEtreRenseigne: true,
      services: [
        { codeService: 'SERVICE_DEST_SERV_OBL', libelle: 'Restauration scolaire', actif: true },
        { codeService: 'SERVICE_AVEC_EJ', libelle: 'Achats (engagement obligatoire)', actif: true, numeroEngagement: true },
        { codeService: 'SERVICE_INACTIF', libelle: 'Ancien service (inactif)', actif: false },
        { codeService: 'FACTURES_PUBLIQUES', libelle: 'Factures publiques', actif: true },
      ],
    },
    /** Both flags: service code and commitment number. */
    serviceAndEngagement: {
      siret: '12345678200044',
      designation: 'COMMUNE DE TEST (service et engagement obligatoires)',
      type: 'PUBLIC',
      codeServiceDoitEtreRenseigne: true,
      numeroEJDoitEtreRenseigne: true,
      services: [{ codeService: 'SERVICE_DEST_SERV_EJ_OBL', libelle: 'Cantine centrale', actif: true }],
    },
    /** gestionNumeroEJOuCodeService: one of the two is enough. */
    serviceOrEngagement: {
      siret: '12345678200069',
      designation: 'EHPAD DE TEST (service ou engagement)',
      type: 'PUBLIC',
      gestionNumeroEJOuCodeService: true,
      services: [{ codeService: 'SERVICE_EJ_OU_SERV', libelle: 'Cuisine', actif: true }],
    },
  },
  suppliers: {
    primary: { siret: '90123456700005', designation: 'EARL FERME DES TROIS CHENES', type: 'SUPPLIER' },
    secondary: { siret: '81234567600009', designation: 'GAEC DU VAL FLEURI', type: 'SUPPLIER' },
  },
} as const satisfies {
  buyers: Record<string, StructureSeed>;
  suppliers: Record<string, StructureSeed>;
};

/** In the order they are created: their idStructureCPP are stable across resets. */
export const SANDBOX_SEED_STRUCTURES: readonly StructureSeed[] = [
  ...Object.values(SANDBOX_SEEDS.buyers),
  ...Object.values(SANDBOX_SEEDS.suppliers),
];

/** Luhn check used by INSEE for SIREN/SIRET (the La Poste exception does not matter here). */
export function hasValidSiretChecksum(siret: string): boolean {
  return /^\d{14}$/.test(siret) && hasLuhnKey(siret);
}
