import { addMessages } from '../../lib/i18n.js';

// "Run again" on the wave page, and the links between the waves of a series.
addMessages({
  nb: {
    'copy.nameSuffix': '– oppfølging',
    'copy.submit': 'Kjør målingen på nytt',
    'copy.hint':
      'Lager et utkast med de samme spørsmålene og de samme inviterte, med nye personlige lenker. Ingen e-post sendes før du åpner den.',
    'copy.alreadyFollowedUp': 'Målingen er allerede kjørt på nytt.',
    'copy.noActiveCriteria':
      'Alle kriteriene i denne målingen er tatt ut av kriteriebiblioteket, så den kan ikke kjøres på nytt.',
    'copy.done.one': 'Målingen er kjørt på nytt som utkast: 1 invitasjon er kopiert med ny lenke.',
    'copy.done.other':
      'Målingen er kjørt på nytt som utkast: {count} invitasjoner er kopiert med nye lenker.',
    'copy.skipped':
      'Ikke kopiert: {count} (adresser som har reservert seg mot e-post, deaktiverte brukere eller en adresse som går igjen).',
    'copy.leftOut': 'Kriterier som er tatt ut av biblioteket siden forrige måling, og som ikke er med:',
    'series.label': 'Måleserien',
    'series.previous': 'Forrige måling:',
    'series.next': 'Neste måling:',
  },
  en: {
    'copy.nameSuffix': '– follow-up',
    'copy.submit': 'Run again',
    'copy.hint':
      'Creates a draft with the same questions and the same invitees, with new personal links. No email is sent until you open it.',
    'copy.alreadyFollowedUp': 'This survey has already been run again.',
    'copy.noActiveCriteria':
      'Every criterion of this survey has been retired from the criteria library, so it cannot be run again.',
    'copy.done.one': 'The survey has been run again as a draft: 1 invitation copied with a new link.',
    'copy.done.other': 'The survey has been run again as a draft: {count} invitations copied with new links.',
    'copy.skipped':
      'Not copied: {count} (addresses that opted out of email, deactivated users, or an address listed twice).',
    'copy.leftOut': 'Criteria retired from the library since the previous survey, left out:',
    'series.label': 'The series',
    'series.previous': 'Previous survey:',
    'series.next': 'Next survey:',
  },
});
