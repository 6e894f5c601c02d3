import { addMessages } from '../../lib/i18n.js';

// The wave page's intro for respondents.
addMessages({
  nb: {
    'intro.title': 'Introduksjon til respondentene',
    'intro.label': 'Tekst øverst i skjemaet og i e-posten (valgfri, høyst {max} tegn)',
    'intro.hint':
      'Vises som ren tekst, med linjeskiftene dine. Skriv hvorfor dere spør og hva dere gjør med svarene.',
    'intro.errorLong': 'Introduksjonen kan være på høyst 1000 tegn.',
    'intro.errorInvalid': 'Introduksjonen kan ikke inneholde kontrolltegn.',
  },
  en: {
    'intro.title': 'Introduction for respondents',
    'intro.label': 'Text at the top of the form and in the email (optional, at most {max} characters)',
    'intro.hint':
      'Shown as plain text, with your line breaks. Say why you ask and what you will do with the answers.',
    'intro.errorLong': 'The introduction can be at most 1000 characters.',
    'intro.errorInvalid': 'The introduction cannot contain control characters.',
  },
});
