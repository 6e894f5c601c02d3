import { addMessages } from '../../lib/i18n.js';

// The wave page's intro for respondents, and closing and reopening a wave.
addMessages({
  nb: {
    'intro.title': 'Introduksjon til respondentene',
    'intro.label': 'Tekst øverst i skjemaet og i e-posten (valgfri, høyst {max} tegn)',
    'intro.hint':
      'Vises som ren tekst, med linjeskiftene dine. Skriv hvorfor dere spør og hva dere gjør med svarene.',
    'intro.errorLong': 'Introduksjonen kan være på høyst 1000 tegn.',
    'intro.errorInvalid': 'Introduksjonen kan ikke inneholde kontrolltegn.',
    'close.title': 'Stenge «{name}»?',
    'close.effect':
      'Når undersøkelsen er stengt, kan ingen svare eller endre svarene sine. Resultatene regnes ut fra svarene som er sendt inn.',
    'close.submitted': 'Sendt inn: {customers} fra kunder og {sellers} fra selgere.',
    'close.unsubmitted.none': 'Ingen har påbegynt svar som ikke er sendt inn.',
    'close.unsubmitted.one': '1 svar er påbegynt, men ikke sendt inn. Det blir ikke med i resultatene.',
    'close.unsubmitted.other':
      '{count} svar er påbegynt, men ikke sendt inn. De blir ikke med i resultatene.',
    'close.reopen': 'Du kan åpne undersøkelsen igjen i {days} dager etter at den er stengt.',
    'close.confirm': 'Ja, steng undersøkelsen',
    'close.cancel': 'Avbryt',
    'close.notOpen': 'Undersøkelsen er ikke åpnet, så den kan ikke stenges.',
    'close.alreadyClosed': 'Undersøkelsen er allerede stengt.',
    'reopen.submit': 'Åpne igjen',
    'reopen.until': 'Kan åpnes igjen til og med {date}.',
    'reopen.final':
      'Stengt for mer enn {days} dager siden: resultatene er endelige, og den kan ikke åpnes igjen.',
    'reopen.windowPassed':
      'Undersøkelsen ble stengt for mer enn 30 dager siden. Resultatene er endelige, og den kan ikke åpnes igjen.',
    'reopen.notClosed': 'Undersøkelsen er ikke stengt.',
  },
  en: {
    'intro.title': 'Introduction for respondents',
    'intro.label': 'Text at the top of the form and in the email (optional, at most {max} characters)',
    'intro.hint':
      'Shown as plain text, with your line breaks. Say why you ask and what you will do with the answers.',
    'intro.errorLong': 'The introduction can be at most 1000 characters.',
    'intro.errorInvalid': 'The introduction cannot contain control characters.',
    'close.title': 'Close “{name}”?',
    'close.effect':
      'Once the survey is closed, nobody can answer or change their answers. The results are computed from the submitted answers.',
    'close.submitted': 'Submitted: {customers} by customers and {sellers} by sellers.',
    'close.unsubmitted.none': 'Nobody has started answers without submitting them.',
    'close.unsubmitted.one':
      '1 response has been started but not submitted. It will be left out of the results.',
    'close.unsubmitted.other':
      '{count} responses have been started but not submitted. They will be left out of the results.',
    'close.reopen': 'You can reopen the survey for {days} days after closing it.',
    'close.confirm': 'Yes, close the survey',
    'close.cancel': 'Cancel',
    'close.notOpen': 'The survey has not been opened, so it cannot be closed.',
    'close.alreadyClosed': 'The survey is already closed.',
    'reopen.submit': 'Reopen',
    'reopen.until': 'Can be reopened until {date}.',
    'reopen.final': 'Closed more than {days} days ago: the results are final and it cannot be reopened.',
    'reopen.windowPassed':
      'The survey closed more than 30 days ago. Its results are final and it cannot be reopened.',
    'reopen.notClosed': 'The survey is not closed.',
  },
});
