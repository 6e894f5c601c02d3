import { addMessages } from '../../lib/i18n.js';

// The PDF's own words; everything it shares with the page comes from report.messages.ts.
const nb = {
  'report.pdf.download': 'Last ned PDF',
  'report.pdf.organization': 'Organisasjon',
  'report.pdf.wave': 'Bølge',
  'report.pdf.generated': 'Laget',
  'report.pdf.selection': 'Utvalg',
  'report.pdf.wholeOrganization': 'Hele organisasjonen',
  'report.pdf.page': 'Side {page} av {pages}',
  'report.pdf.missing.criteria': 'Bølgen har ingen kriterier: det finnes ingen tall å vise.',
  'report.pdf.missing.responses':
    'Ingen innsendte svar for dette utvalget: gaptabellen, diagrammene og «Konsentrer innsatsen her» kommer når respondentene har sendt inn.',
  'report.pdf.missing.customers':
    'Ingen innsendte kundesvar for dette utvalget: kundekolonnene, kvadrantdiagrammet og «Konsentrer innsatsen her» er tomme.',
  'report.pdf.missing.sellers': 'Ingen innsendte selgersvar: kolonnen «Viktighet (selgere)» er tom.',
  'report.pdf.markers': '* færre svar enn terskelen på {threshold}: tolk tallet med forsiktighet.',
  'report.pdf.hiddenControl': '[skjult tegn {code}]',
};

const en: Record<keyof typeof nb, string> = {
  'report.pdf.download': 'Download PDF',
  'report.pdf.organization': 'Organisation',
  'report.pdf.wave': 'Wave',
  'report.pdf.generated': 'Generated',
  'report.pdf.selection': 'Selection',
  'report.pdf.wholeOrganization': 'The whole organisation',
  'report.pdf.page': 'Page {page} of {pages}',
  'report.pdf.missing.criteria': 'The wave has no criteria: there are no figures to show.',
  'report.pdf.missing.responses':
    'No submitted responses for this selection: the gap table, the charts and "Concentrate here" appear once respondents submit.',
  'report.pdf.missing.customers':
    'No submitted customer responses for this selection: the customer columns, the quadrant chart and "Concentrate here" are empty.',
  'report.pdf.missing.sellers': 'No submitted seller responses: the "Importance (sellers)" column is empty.',
  'report.pdf.markers': '* fewer answers than the threshold of {threshold}: read the figure with care.',
  'report.pdf.hiddenControl': '[hidden character {code}]',
};

addMessages({ nb, en });
