export const LANGUAGES = ['nb', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

export function isLang(value: unknown): value is Lang {
  return value === 'nb' || value === 'en';
}

const nb = {
  'app.name': 'Viktig/Dyktig',
  'nav.surveys': 'Undersøkelser',
  'nav.accounts': 'Kunder',
  'nav.criteria': 'Kriterier',
  'nav.users': 'Brukere',
  'nav.apiKeys': 'API-nøkler',
  'nav.logout': 'Logg ut',
  'nav.login': 'Logg inn',
  'nav.signup': 'Opprett organisasjon',
  'nav.language': 'Språk',
  'nav.skip': 'Hopp til innhold',
  'field.email': 'E-post',
  'field.password': 'Passord',
  'field.name': 'Navn',
  'field.organization': 'Organisasjon',
  'field.role': 'Rolle',
  'role.admin': 'Administrator',
  'role.manager': 'Leder',
  'role.kam': 'KAM',
  'login.title': 'Logg inn',
  'login.submit': 'Logg inn',
  'login.failed': 'Feil e-post eller passord.',
  'login.tooMany': 'For mange mislykkede innlogginger. Prøv igjen om {minutes} minutter.',
  'signup.title': 'Opprett organisasjon',
  'signup.intro': 'Opprett organisasjonen din og den første administratoren.',
  'signup.submit': 'Opprett',
  'signup.passwordHint': 'Minst 10 tegn.',
  'users.title': 'Brukere',
  'users.add': 'Legg til bruker',
  'users.initialPassword': 'Startpassord',
  'users.deactivate': 'Deaktiver',
  'users.inactive': 'Deaktivert',
  'users.active': 'Aktiv',
  'users.status': 'Status',
  'apiKeys.title': 'API-nøkler',
  'apiKeys.intro': 'Personlige nøkler for JSON-API-et under /api/v1. Nøkkelen vises bare én gang.',
  'apiKeys.name': 'Navn på nøkkelen',
  'apiKeys.create': 'Lag nøkkel',
  'apiKeys.revoke': 'Trekk tilbake',
  'apiKeys.created': 'Ny nøkkel – kopier den nå, den vises ikke igjen:',
  'apiKeys.none': 'Ingen nøkler ennå.',
  'apiKeys.lastUsed': 'Sist brukt',
  'apiKeys.createdAt': 'Opprettet',
  'apiKeys.revoked': 'Tilbaketrukket',
  'common.actions': 'Handlinger',
  'common.save': 'Lagre',
  'common.never': 'Aldri',
  'common.errorSummary': 'Skjemaet har feil:',
  'error.notFound': 'Siden finnes ikke.',
  'error.forbidden': 'Du har ikke tilgang til dette.',
  'error.csrf': 'Skjemaet er utløpt eller ugyldig. Gå tilbake, last siden på nytt og prøv igjen.',
  'error.server': 'Noe gikk galt hos oss. Prøv igjen om litt.',
  'error.badRequest': 'Ugyldig forespørsel.',
  'error.unavailable':
    'Tjenesten er utilgjengelig et øyeblikk. Prøv igjen om litt – ingenting du har sendt inn tidligere er tapt.',
  'error.tooManyRequests': 'For mange forsøk. Vent litt og prøv igjen.',
  'error.title': 'Feil',
  'home.title': 'Velkommen',
  'welcome.intro':
    'Finn ut hva nøkkelkundene deres synes er viktig, hvor godt dere leverer – og om selgerne verdsetter det samme.',
  'signup.emailTaken': 'Denne e-postadressen er allerede registrert.',
} as const;

export type MessageKey = keyof typeof nb;

const en: Record<MessageKey, string> = {
  'app.name': 'Viktig/Dyktig',
  'nav.surveys': 'Surveys',
  'nav.accounts': 'Accounts',
  'nav.criteria': 'Criteria',
  'nav.users': 'Users',
  'nav.apiKeys': 'API keys',
  'nav.logout': 'Log out',
  'nav.login': 'Log in',
  'nav.signup': 'Create organisation',
  'nav.language': 'Language',
  'nav.skip': 'Skip to content',
  'field.email': 'Email',
  'field.password': 'Password',
  'field.name': 'Name',
  'field.organization': 'Organisation',
  'field.role': 'Role',
  'role.admin': 'Administrator',
  'role.manager': 'Manager',
  'role.kam': 'KAM',
  'login.title': 'Log in',
  'login.submit': 'Log in',
  'login.failed': 'Wrong email or password.',
  'login.tooMany': 'Too many failed logins. Try again in {minutes} minutes.',
  'signup.title': 'Create organisation',
  'signup.intro': 'Create your organisation and its first administrator.',
  'signup.submit': 'Create',
  'signup.passwordHint': 'At least 10 characters.',
  'users.title': 'Users',
  'users.add': 'Add user',
  'users.initialPassword': 'Initial password',
  'users.deactivate': 'Deactivate',
  'users.inactive': 'Deactivated',
  'users.active': 'Active',
  'users.status': 'Status',
  'apiKeys.title': 'API keys',
  'apiKeys.intro': 'Personal keys for the JSON API under /api/v1. A key is shown only once.',
  'apiKeys.name': 'Key name',
  'apiKeys.create': 'Create key',
  'apiKeys.revoke': 'Revoke',
  'apiKeys.created': 'New key – copy it now, it will not be shown again:',
  'apiKeys.none': 'No keys yet.',
  'apiKeys.lastUsed': 'Last used',
  'apiKeys.createdAt': 'Created',
  'apiKeys.revoked': 'Revoked',
  'common.actions': 'Actions',
  'common.save': 'Save',
  'common.never': 'Never',
  'common.errorSummary': 'The form has errors:',
  'error.notFound': 'This page does not exist.',
  'error.forbidden': 'You do not have access to this.',
  'error.csrf': 'The form has expired or is invalid. Go back, reload the page and try again.',
  'error.server': 'Something went wrong on our side. Please try again shortly.',
  'error.badRequest': 'Bad request.',
  'error.unavailable':
    'The service is briefly unavailable. Please try again shortly – nothing you submitted earlier has been lost.',
  'error.tooManyRequests': 'Too many attempts. Please wait a while and try again.',
  'error.title': 'Error',
  'home.title': 'Welcome',
  'welcome.intro':
    'Find out what your key customers find important, how well you deliver – and whether your sellers value the same things.',
  'signup.emailTaken': 'This email address is already registered.',
};

const messages: Record<Lang, Record<string, string>> = { nb, en };

/** A message in the reader's language; `{name}` placeholders are filled from params. */
export function translate(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const template = messages[lang][key] ?? messages.nb[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

/** Registers more messages (each feature owns its texts). Both languages must name the same keys. */
export function addMessages(extra: { nb: Record<string, string>; en: Record<string, string> }): void {
  Object.assign(messages.nb, extra.nb);
  Object.assign(messages.en, extra.en);
}

const numberFormats: Record<Lang, Intl.NumberFormat> = {
  nb: new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

/** Two decimals in the reader's locale (nb 9,25; en 9.25); a minus sign, not a hyphen, for negatives. */
export function formatNumber(lang: Lang, value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const format =
    digits === 2
      ? numberFormats[lang]
      : new Intl.NumberFormat(lang === 'nb' ? 'nb-NO' : 'en-GB', {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        });
  return format.format(value).replace('-', '−');
}

// Validation messages are written once, in English, next to their schemas; Norwegian readers get them here.
const NB_ERRORS: Record<string, string> = {
  Required: 'Må fylles ut.',
  'Invalid email address': 'Ugyldig e-postadresse.',
  'Line breaks and control characters are not allowed': 'Linjeskift og kontrolltegn er ikke tillatt.',
  'Too simple: use more different characters': 'For enkelt: bruk flere forskjellige tegn.',
  'Choose a role': 'Velg en rolle.',
  'Choose nb or en': 'Velg nb eller en.',
  'Choose who is asked': 'Velg hvem som blir spurt.',
  'Not a valid id': 'Ugyldig id.',
  'Not a valid account id': 'Ugyldig kunde-id.',
  'Must be nb or en': 'Må være nb eller en.',
  'Use the format YYYY-MM-DD': 'Bruk formatet ÅÅÅÅ-MM-DD.',
};
const NB_FIELDS: Record<string, string> = {
  account: 'kunde',
  segment: 'segment',
  'KAM email': 'KAM-e-post',
  'contact name': 'kontaktperson',
  'contact email': 'kontaktens e-post',
  language: 'språk',
};
const field = (name: string) => NB_FIELDS[name] ?? name;
const NB_ERROR_PATTERNS: Array<[RegExp, string | ((...groups: string[]) => string)]> = [
  [/^At most (\d+) characters$/, 'Høyst $1 tegn.'],
  [/^At least (\d+) characters$/, 'Minst $1 tegn.'],
  [/^At least (\d+)$/, 'Minst $1.'],
  [/^At most (\d+)$/, 'Høyst $1.'],
  [/^Whole numbers only$/, 'Bare hele tall.'],
  // The CSV account import (server/features/accounts/account-import.ts)
  [/^Invalid email address: (.*)$/s, 'Ugyldig e-postadresse: $1'],
  [/^Invalid KAM email address: (.*)$/s, 'Ugyldig e-postadresse for KAM: $1'],
  [/^Duplicate of line (\d+)$/, 'Samme som linje $1'],
  [
    /^Line break or control character in (.*)$/,
    (_, name = '') => `Linjeskift eller kontrolltegn i ${field(name)}`,
  ],
  [/^(.*) is longer than (\d+) characters$/, (_, name = '', max = '') => `${field(name)}: høyst ${max} tegn`],
  [/^Account name is missing$/, 'Kundenavn mangler'],
  [/^Contact name without an email address$/, 'Kontaktperson uten e-postadresse'],
  [/^Invalid language: (.*) \(use nb or en\)$/, 'Ugyldig språk: $1 (bruk nb eller en)'],
  [/^Missing column: account$/, 'Kolonnen for kunde mangler'],
  [/^The file is empty$/, 'Filen er tom'],
  [
    /^Generic role address \((.*)\): .*$/,
    'Generisk rolleadresse ($1): undersøkelser sendt til generelle adresser mister gyldighet; inviter en navngitt person',
  ],
  [
    /^The file is not valid UTF-8 text.*$/s,
    'Filen er ikke gyldig UTF-8-tekst (den er trolig lagret som Latin-1/Windows-1252). I Excel: velg Lagre som › «CSV UTF-8 (kommadelt)» og last opp på nytt.',
  ],
  [
    /^The file has (\d+) rows; at most (\d+) can be imported at once\..*$/,
    'Filen har $1 rader; høyst $2 kan importeres om gangen. Del den opp.',
  ],
];

/** A validation message in the reader's language (English messages are the source; others pass through). */
export function localizeError(lang: Lang, message: string): string {
  if (lang === 'en') return message;
  const exact = NB_ERRORS[message];
  if (exact) return exact;
  for (const [pattern, replacement] of NB_ERROR_PATTERNS) {
    const match = pattern.exec(message);
    if (match)
      return typeof replacement === 'string' ? message.replace(pattern, replacement) : replacement(...match);
  }
  return message;
}
