import type { Audience } from '../../db/database.js';

/** The KAM attitude variables of DOMAIN.md: every new organisation's library starts here. */
export const DEFAULT_CRITERIA: ReadonlyArray<{ key: string; nb: string; en: string; audience: Audience }> = [
  { key: 'availability', nb: 'Tilgjengelighet', en: 'Availability', audience: 'both' },
  { key: 'advice', nb: 'Rådgivning', en: 'Advice', audience: 'both' },
  { key: 'solution_oriented', nb: 'Løsningsorientert', en: 'Solution-oriented', audience: 'both' },
  { key: 'customer_oriented', nb: 'Kundeorientert', en: 'Customer-oriented', audience: 'both' },
  { key: 'trust', nb: 'Tillit', en: 'Trust', audience: 'both' },
  { key: 'knowledge', nb: 'Kunnskap', en: 'Knowledge', audience: 'both' },
  { key: 'efficiency', nb: 'Effektivitet', en: 'Efficiency', audience: 'both' },
  { key: 'communication', nb: 'Kommunikasjon', en: 'Communication', audience: 'both' },
  { key: 'accuracy', nb: 'Nøyaktighet', en: 'Accuracy', audience: 'both' },
  {
    key: 'business_understanding',
    nb: 'Forretningsforståelse',
    en: 'Business understanding',
    audience: 'both',
  },
  { key: 'cooperation', nb: 'Samarbeid', en: 'Cooperation', audience: 'both' },
  { key: 'follow_up', nb: 'Oppfølging', en: 'Follow-up', audience: 'both' },
  { key: 'crm_system', nb: 'CRM-system', en: 'CRM system', audience: 'seller' },
];
