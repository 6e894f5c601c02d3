import { addMessages } from '../../lib/i18n.js';

// The questionnaire's wording is fixed by DOMAIN.md.
addMessages({
  nb: {
    'respondent.intro': 'Gi karakter fra 1–10, der 10 er høyest. Velg «Vet ikke» hvis du ikke kan svare.',
    'respondent.question.customer.importance': 'Hvor viktig er kriteriet for dere?',
    'respondent.question.customer.performance': 'I hvilken grad innfrir {supplier} kriteriet?',
    'respondent.question.seller.importance': 'Hvor viktig er kriteriet for deg som selger?',
    'respondent.question.customer.overall': 'Alt i alt, hvor fornøyd er du med {supplier}?',
    'respondent.dontKnow': 'Vet ikke',
    'respondent.comment': 'Kommentar (valgfri)',
    'respondent.submit': 'Send inn',
    'respondent.update': 'Oppdater svarene',
    'respondent.save': 'Lagre og fortsett senere',
    'respondent.savedNotice': 'Svarene er lagret. Du kan fortsette når du vil via den samme lenken.',
    'respondent.submittedNotice': 'Du har sendt inn svarene. Du kan endre dem til undersøkelsen stenger.',
    'respondent.errorSummary': 'Noen svar mangler eller er ugyldige. Se markeringene under.',
    'respondent.thanksTitle': 'Takk for svarene!',
    'respondent.thanks': 'Svarene dine er sendt inn til {supplier}.',
    'respondent.change': 'Se eller endre svarene',
    // The same words for an unknown, a mistyped and a revoked link: the page must not tell them apart.
    'respondent.notFound':
      'Denne lenken virker ikke. Den kan være ufullstendig, eller den er erstattet av en ny eller trukket tilbake. Spør den som ba deg svare om en ny lenke.',
    'respondent.notOpen': 'Undersøkelsen er ikke åpnet ennå. Prøv igjen senere.',
    'respondent.closed': 'Undersøkelsen er stengt, og det er ikke lenger mulig å svare. Takk for interessen.',
    'respondent.scale': '1 = lavest, 10 = høyest',
    'respondent.error.invalid_score': 'Velg en karakter fra 1 til 10 eller «Vet ikke».',
    'respondent.error.unanswered': 'Svar på dette (eller velg «Vet ikke»).',
    'respondent.error.unknown_field': 'Skjemaet inneholder felt som ikke hører til undersøkelsen.',
    'respondent.error.too_many_fields': 'Skjemaet har for mange felt.',
    'respondent.error.invalid_comment': 'Kommentaren kan være på høyst 5000 tegn.',
    'respondent.error.invalid_body': 'Ugyldig forespørsel.',
    'respondent.askedBy.kam':
      '{kam}, kundeansvarlig hos {supplier}, ber deg svare på noen spørsmål om samarbeidet.',
    'respondent.askedBy.customer': '{supplier} ber deg svare på noen spørsmål om samarbeidet.',
    'respondent.askedBy.seller': '{supplier} ber deg som selger si hvor viktige disse kriteriene er for deg.',
    'respondent.duration': 'Tar omtrent {minutes} ({criteria}).',
    'respondent.minutes.one': '1 minutt',
    'respondent.minutes.other': '{count} minutter',
    'respondent.criteria.one': '1 kriterium',
    'respondent.criteria.other': '{count} kriterier',
    'respondent.deadline': 'Svarfrist: {date}.',
    'respondent.noDeadline': 'Undersøkelsen er åpen til {supplier} stenger den.',
    'respondent.saveLater': 'Du kan lagre underveis og fortsette senere med den samme lenken.',
    'respondent.answersUse.kam':
      'Svarene og kommentaren din går til {supplier}: {kam} og ledelsen der ser dem, sammen med navnet på bedriften din, og bruker dem til å se hva som er viktigst for dere og hvor {supplier} kan bli bedre. Andre kunder ser dem ikke.',
    'respondent.answersUse.customer':
      'Svarene og kommentaren din går til {supplier}: kundeansvarlig og ledelsen der ser dem, sammen med navnet på bedriften din, og bruker dem til å se hva som er viktigst for dere og hvor {supplier} kan bli bedre. Andre kunder ser dem ikke.',
    'respondent.answersUse.seller':
      'Svarene går til ledelsen i {supplier} og sammenlignes med hva kundene svarer om de samme kriteriene.',
    'respondent.answersUse.kam.confidential':
      'Svarene og kommentaren din går til {supplier}: {kam} og ledelsen der ser dem, men svarene dine vises bare samlet med svarene fra minst {group}, og kommentaren din vises uten navnet på bedriften din. De brukes til å se hva som er viktigst for kundene og hvor {supplier} kan bli bedre. Andre kunder ser dem ikke.',
    'respondent.answersUse.customer.confidential':
      'Svarene og kommentaren din går til {supplier}: kundeansvarlige og ledelsen der ser dem, men svarene dine vises bare samlet med svarene fra minst {group}, og kommentaren din vises uten navnet på bedriften din. De brukes til å se hva som er viktigst for kundene og hvor {supplier} kan bli bedre. Andre kunder ser dem ikke.',
    'respondent.group.one': '1 svarperson',
    'respondent.group.other': '{count} svarpersoner',
    'respondent.privacyContact':
      'Vil du se eller slette opplysningene som er lagret om deg, kan du kontakte {contact}.',
    'respondent.progress': '{answered} av {total} besvart',
  },
  en: {
    'respondent.intro': 'Rate from 1–10, where 10 is highest. Choose "Don\'t know" if you cannot answer.',
    'respondent.question.customer.importance': 'How important is this criterion to you?',
    'respondent.question.customer.performance': 'To what degree does {supplier} deliver on this criterion?',
    'respondent.question.seller.importance': 'How important is this criterion to you as a seller?',
    'respondent.question.customer.overall': 'Overall, how satisfied are you with {supplier}?',
    'respondent.dontKnow': "Don't know",
    'respondent.comment': 'Comment (optional)',
    'respondent.submit': 'Submit',
    'respondent.update': 'Update my answers',
    'respondent.save': 'Save and continue later',
    'respondent.savedNotice': 'Your answers are saved. Continue whenever you like with the same link.',
    'respondent.submittedNotice':
      'You have submitted your answers. You can change them until the survey closes.',
    'respondent.errorSummary': 'Some answers are missing or invalid. See the marks below.',
    'respondent.thanksTitle': 'Thank you!',
    'respondent.thanks': 'Your answers have been submitted to {supplier}.',
    'respondent.change': 'View or change your answers',
    'respondent.notFound':
      'This link does not work. It may be incomplete, or it has been replaced by a new one or withdrawn. Ask the person who asked you to answer for a new link.',
    'respondent.notOpen': 'The survey is not open yet. Please try again later.',
    'respondent.closed': 'The survey is closed and no longer accepts answers. Thank you for your interest.',
    'respondent.scale': '1 = lowest, 10 = highest',
    'respondent.error.invalid_score': 'Choose a rating from 1 to 10 or "Don\'t know".',
    'respondent.error.unanswered': 'Please answer this (or choose "Don\'t know").',
    'respondent.error.unknown_field': 'The form contains fields that do not belong to this survey.',
    'respondent.error.too_many_fields': 'The form has too many fields.',
    'respondent.error.invalid_comment': 'The comment can be at most 5000 characters.',
    'respondent.error.invalid_body': 'Invalid request.',
    'respondent.askedBy.kam':
      '{kam}, your key account manager at {supplier}, asks you to answer a few questions about working together.',
    'respondent.askedBy.customer': '{supplier} asks you to answer a few questions about working together.',
    'respondent.askedBy.seller': '{supplier} asks you, as a seller, how important these criteria are to you.',
    'respondent.duration': 'Takes about {minutes} ({criteria}).',
    'respondent.minutes.one': '1 minute',
    'respondent.minutes.other': '{count} minutes',
    'respondent.criteria.one': '1 criterion',
    'respondent.criteria.other': '{count} criteria',
    'respondent.deadline': 'Please answer by {date}.',
    'respondent.noDeadline': 'The survey stays open until {supplier} closes it.',
    'respondent.saveLater': 'You can save as you go and continue later with the same link.',
    'respondent.answersUse.kam':
      'Your answers and comment go to {supplier}: {kam} and the management there see them, with your company’s name, and use them to learn what matters most to you and where {supplier} can do better. Other customers do not see them.',
    'respondent.answersUse.customer':
      'Your answers and comment go to {supplier}: your key account manager and the management there see them, with your company’s name, and use them to learn what matters most to you and where {supplier} can do better. Other customers do not see them.',
    'respondent.answersUse.seller':
      'Your answers go to the management of {supplier} and are compared with what customers answer about the same criteria.',
    'respondent.answersUse.kam.confidential':
      'Your answers and comment go to {supplier}: {kam} and the management there see them, but your answers are only shown combined with those of at least {group}, and your comment is shown without your company’s name. They are used to learn what matters most to customers and where {supplier} can do better. Other customers do not see them.',
    'respondent.answersUse.customer.confidential':
      'Your answers and comment go to {supplier}: key account managers and the management there see them, but your answers are only shown combined with those of at least {group}, and your comment is shown without your company’s name. They are used to learn what matters most to customers and where {supplier} can do better. Other customers do not see them.',
    'respondent.group.one': '1 respondent',
    'respondent.group.other': '{count} respondents',
    'respondent.privacyContact': 'To see or erase the data stored about you, contact {contact}.',
    'respondent.progress': '{answered} of {total} answered',
  },
});
