import { addMessages } from '../../lib/i18n.js';

const nb = {
  'report.trend.title': 'Utvikling over målingene',
  'report.trend.intro':
    'Leveranse (kunder) per kriterium og samlet leveranseindeks i hver måling i serien, med de samme filtrene som rapporten over. Utkast er ikke med.',
  'report.trend.single':
    'Det er ingenting å sammenligne med ennå: dette er den eneste målingen i serien. Kjør undersøkelsen på nytt for å se utviklingen.',
  'report.trend.caption': 'Leveranse (kunder) per måling: gjennomsnitt og antall svar (n)',
  'report.trend.current': '(denne målingen)',
  'report.trend.notAsked': 'ikke spurt',
  'report.trend.chartLabel':
    'Linjediagram: leveranse (kunder) per kriterium og samlet leveranseindeks over målingene i serien',
  'report.trend.tableLink': 'Tabellen med tallene',
} as const;

const en: Record<keyof typeof nb, string> = {
  'report.trend.title': 'Trend across waves',
  'report.trend.intro':
    'Customer performance per criterion and the overall delivery index in each wave of the series, with the same filters as the report above. Drafts are left out.',
  'report.trend.single':
    'There is nothing to compare with yet: this is the only wave in its series. Run the survey again to see the trend.',
  'report.trend.caption': 'Customer performance per wave: mean and number of answers (n)',
  'report.trend.current': '(this wave)',
  'report.trend.notAsked': 'not asked',
  'report.trend.chartLabel':
    'Line chart: customer performance per criterion and the overall delivery index across the waves of the series',
  'report.trend.tableLink': 'The table with the numbers',
};

addMessages({ nb, en });
