import { addMessages } from '../../lib/i18n.js';

const nb = {
  'report.segments.link': 'Sammenlign segmentene',
  'report.segments.title': 'Segmentene side om side',
  'report.segments.back': 'Tilbake til gaprapporten',
  'report.segments.intro':
    'Kundenes svar delt etter kundens segment (slik segmentet står på kunden nå), med de samme filtrene som rapporten. Selgernes viktighet gjelder hele organisasjonen og er den samme for alle segmentene: se gaprapporten.',
  'report.segments.none': 'Uten segment',
  'report.segments.noGroups': 'Ingen kunder i dette utvalget er invitert til målingen.',
  'report.segments.summary.title': 'Svar og leveranseindeks per segment',
  'report.segments.summary.caption':
    'Kundesvar per segment (innsendte av inviterte) og samlet leveranseindeks: snittet av kriterienes leveransesnitt i segmentet.',
  'report.segments.segment': 'Segment',
  'report.segments.customers': 'Kunder som har svart',
  'report.segments.responded': '{responded} av {invited}, {percent} %',
  'report.segments.respondedNone': '{responded} av {invited}',
  'report.segments.table.title': 'Kriteriene per segment',
  'report.segments.table.caption':
    'Snitt på skalaen 1–10 per segment: leveranse og viktighet (kunder) med antall svar (n), og leveransegap = leveranse − viktighet. «Vet ikke» er holdt utenfor.',
  'report.segments.performance': 'Leveranse',
  'report.segments.importance': 'Viktighet',
  'report.segments.gap': 'Gap',
  'report.segments.smallSample':
    '{segment}: høyst {n} kundesvar per kriterium, under terskelen på {threshold}. Tolk segmentets tall med forsiktighet.',
  'report.segments.legend':
    '«(under terskel)» markerer et snitt med færre svar enn organisasjonens terskel på {threshold}: det er usikkert, ikke feil.',
  'report.segments.chart.title': 'Leveranse per kriterium og segment',
  'report.segments.chart.label':
    'Linjediagram: leveranse (kunder) per kriterium, én linje per segment, hver med egen punktform og strek',
  'report.segments.chart.tableLink': 'Tabellen med tallene',
  'report.segments.chart.noAnswer': 'ingen svar',
} as const;

const en: Record<keyof typeof nb, string> = {
  'report.segments.link': 'Compare the segments',
  'report.segments.title': 'Segments side by side',
  'report.segments.back': 'Back to the gap report',
  'report.segments.intro':
    'The customers’ answers split by their account’s segment (the segment the account has now), with the same filters as the report. Seller importance is organisation-wide and the same for every segment: see the gap report.',
  'report.segments.none': 'No segment',
  'report.segments.noGroups': 'No customers in this selection are invited to the wave.',
  'report.segments.summary.title': 'Answers and delivery index per segment',
  'report.segments.summary.caption':
    'Customer answers per segment (submitted of invited) and the overall delivery index: the mean of the criteria’s performance means in the segment.',
  'report.segments.segment': 'Segment',
  'report.segments.customers': 'Customers who answered',
  'report.segments.responded': '{responded} of {invited}, {percent} %',
  'report.segments.respondedNone': '{responded} of {invited}',
  'report.segments.table.title': 'The criteria per segment',
  'report.segments.table.caption':
    'Means on the 1–10 scale per segment: customer performance and importance with the number of answers (n), and delivery gap = performance − importance. "Don’t know" is left out.',
  'report.segments.performance': 'Performance',
  'report.segments.importance': 'Importance',
  'report.segments.gap': 'Gap',
  'report.segments.smallSample':
    '{segment}: at most {n} customer answers per criterion, below the threshold of {threshold}. Read the segment’s figures with care.',
  'report.segments.legend':
    '"(below threshold)" marks a mean with fewer answers than the organisation’s threshold of {threshold}: it is uncertain, not wrong.',
  'report.segments.chart.title': 'Performance per criterion and segment',
  'report.segments.chart.label':
    'Line chart: customer performance per criterion, one line per segment, each with its own point shape and dash',
  'report.segments.chart.tableLink': 'The table with the numbers',
  'report.segments.chart.noAnswer': 'no answers',
};

addMessages({ nb, en });
