import { addMessages } from '../../lib/i18n.js';

// Confidential waves in the reports (issue 13; docs/decisions/0007-confidential-cuts.md).
const nb = {
  'report.suppressed.fewer_than_k': 'Færre enn {k} svar',
  'report.suppressed.difference_below_k': 'Skjult fordi forskjellen til et større utvalg er under {k} svar',
  'report.suppressed.explain':
    'Målingen er konfidensiell: kundenes tall og kommentarer vises bare for utvalg med minst {k} svar, og ikke for et utvalg som skiller seg fra et større utvalg med færre enn {k} svar. Selgernes viktighet gjelder hele organisasjonen og vises som før.',
  'report.suppressed.compared': 'Kundetallene i {wave} vises ikke for dette utvalget: {reason}.',
  'report.confidential.note':
    'Målingen er konfidensiell: kundene er lovet at svarene deres bare vises samlet, i grupper på minst {k}. Kommentarer vises derfor uten kundens navn.',
  'report.comments.customer': 'Kunde',
} as const;

const en: Record<keyof typeof nb, string> = {
  'report.suppressed.fewer_than_k': 'Fewer than {k} answers',
  'report.suppressed.difference_below_k': 'Hidden: it differs from a larger cut by fewer than {k} answers',
  'report.suppressed.explain':
    "This wave is confidential: customers' figures and comments are shown only for selections of at least {k} answers, and not for a selection that differs from a larger one by fewer than {k} answers. Seller importance covers the whole organisation and is shown as before.",
  'report.suppressed.compared': 'The customer figures of {wave} are not shown for this selection: {reason}.',
  'report.confidential.note':
    'This wave is confidential: customers were promised that their answers are shown only combined, in groups of at least {k}. Comments are therefore shown without the customer’s name.',
  'report.comments.customer': 'Customer',
};

addMessages({ nb, en });
