import { addMessages } from '../../lib/i18n.js';

// Texts of the account emails and of the pages their links open. {placeholders} are filled with plain
// values by translate(); the templates escape them for HTML.
addMessages({
  nb: {
    'accountEmail.greeting': 'Hei {name},',
    'accountEmail.greetingNoName': 'Hei,',
    'accountEmail.linkText': 'Virker ikke knappen? Kopier denne lenken inn i nettleseren:',
    'accountEmail.sender': 'Viktig/Dyktig',
    'accountEmail.welcome.subject': 'Du har fått tilgang til {organization} i Viktig/Dyktig',
    'accountEmail.welcome.text':
      'Du har fått en brukerkonto i {organization} i Viktig/Dyktig. Velg et passord for å logge inn.',
    'accountEmail.welcome.button': 'Velg passord',
    'accountEmail.welcome.validity':
      'Lenken virker i 7 dager og kan brukes én gang. Har den gått ut, kan du be om en ny med «Glemt passordet?» på innloggingssiden.',
    'accountEmail.password_reset.subject': 'Nytt passord til Viktig/Dyktig',
    'accountEmail.password_reset.text':
      'Vi fikk en forespørsel om å sette nytt passord for {email} i Viktig/Dyktig. Velg et nytt passord med lenken under.',
    'accountEmail.password_reset.button': 'Velg nytt passord',
    'accountEmail.password_reset.validity':
      'Lenken virker i 1 time og kan brukes én gang. Når du har valgt nytt passord, blir du logget ut alle andre steder.',
    'accountEmail.password_reset.ignore':
      'Ba du ikke om dette, kan du se bort fra e-posten. Passordet ditt er ikke endret.',
    'accountEmail.signup.subject': 'Bekreft e-postadressen din for Viktig/Dyktig',
    'accountEmail.signup.text':
      'Bekreft adressen og velg et passord for å opprette {organization} i Viktig/Dyktig, med deg som administrator.',
    'accountEmail.signup.button': 'Bekreft og velg passord',
    'accountEmail.signup.validity': 'Lenken virker i 24 timer og kan brukes én gang.',
    'accountEmail.signup.ignore':
      'Ba du ikke om dette, kan du se bort fra e-posten. Ingenting blir opprettet.',
    'accountEmail.account_exists.subject': 'Du har allerede en konto i Viktig/Dyktig',
    'accountEmail.account_exists.text':
      'Noen – kanskje du – prøvde å opprette en ny organisasjon i Viktig/Dyktig med {email}. Adressen har allerede en konto i {organization}, så ingenting nytt ble opprettet. Logg inn som vanlig.',
    'accountEmail.account_exists.button': 'Logg inn',
    'accountEmail.account_exists.secondary': 'Glemt passordet? Velg et nytt her:',
    'accountEmail.account_exists.ignore': 'Var det ikke du, kan du se bort fra e-posten.',
    'accountEmail.kind.welcome': 'Velg passord (ny bruker)',
    'accountEmail.kind.password_reset': 'Nytt passord',
    'accountEmail.kind.signup': 'Bekreft registrering',
    'accountEmail.kind.account_exists': 'Har allerede konto',
    'accountEmail.linkHidden': '[lenken vises bare for mottakeren]',
    'outbox.accountTitle': 'Kontoe-post',
    'outbox.accountIntro':
      'E-post om brukerkontoer. Lenker for nytt passord vises bare for mottakeren; en administrator ser lenken i en ny brukers første e-post.',
    'forgot.title': 'Glemt passordet?',
    'forgot.intro': 'Skriv e-postadressen du logger inn med, så sender vi en lenke for å velge nytt passord.',
    'forgot.submit': 'Send lenke',
    'forgot.tooMany': 'For mange forespørsler. Prøv igjen om {minutes} minutter.',
    'login.forgot': 'Glemt passordet?',
    'checkEmail.title': 'Sjekk e-posten din',
    'checkEmail.signup':
      'Vi har sendt en e-post til adressen du oppga. Følg lenken i den for å bekrefte adressen og velge passord. Lenken virker i 24 timer.',
    'checkEmail.password_reset':
      'Hører adressen til en bruker, har vi sendt en lenke for å velge nytt passord. Lenken virker i 1 time.',
    'checkEmail.spam': 'Finner du ikke e-posten, se i søppelpost-mappen.',
    'setPassword.welcome.title': 'Velg passord',
    'setPassword.welcome.intro': 'Velg et passord for {email} i {organization}.',
    'setPassword.password_reset.title': 'Velg nytt passord',
    'setPassword.password_reset.intro':
      'Velg et nytt passord for {email}. Du blir logget ut alle andre steder.',
    'setPassword.signup.title': 'Bekreft og velg passord',
    'setPassword.signup.intro':
      'Adressen {email} er bekreftet. Velg et passord for å opprette {organization}.',
    'setPassword.submit': 'Lagre passord',
    'setPassword.invalid.title': 'Lenken virker ikke',
    'setPassword.invalid.text':
      'Lenken er allerede brukt, har gått ut eller er ikke gyldig. Du kan be om en ny lenke for å velge passord, eller opprette organisasjonen på nytt.',
    'setPassword.taken':
      'Adressen har allerede en konto. Logg inn, eller be om nytt passord hvis du har glemt det.',
    'signup.newIntro':
      'Opprett organisasjonen din og den første administratoren. Vi sender en e-post for å bekrefte adressen; der velger du passord.',
    'users.invited': 'Invitert – har ikke valgt passord',
    'users.inviteHint': 'Brukeren får en e-post med en lenke for å velge passord (gyldig i 7 dager).',
  },
  en: {
    'accountEmail.greeting': 'Hello {name},',
    'accountEmail.greetingNoName': 'Hello,',
    'accountEmail.linkText': 'If the button does not work, copy this link into your browser:',
    'accountEmail.sender': 'Viktig/Dyktig',
    'accountEmail.welcome.subject': 'You have been given access to {organization} in Viktig/Dyktig',
    'accountEmail.welcome.text':
      'You have a user account in {organization} in Viktig/Dyktig. Choose a password to log in.',
    'accountEmail.welcome.button': 'Choose a password',
    'accountEmail.welcome.validity':
      'The link works for 7 days and once only. If it has expired, ask for a new one with "Forgot your password?" on the login page.',
    'accountEmail.password_reset.subject': 'A new password for Viktig/Dyktig',
    'accountEmail.password_reset.text':
      'We were asked to set a new password for {email} in Viktig/Dyktig. Choose a new password with the link below.',
    'accountEmail.password_reset.button': 'Choose a new password',
    'accountEmail.password_reset.validity':
      'The link works for 1 hour and once only. Once you have chosen a new password, you are logged out everywhere else.',
    'accountEmail.password_reset.ignore':
      'If you did not ask for this, you can ignore this email. Your password has not changed.',
    'accountEmail.signup.subject': 'Confirm your email address for Viktig/Dyktig',
    'accountEmail.signup.text':
      'Confirm the address and choose a password to create {organization} in Viktig/Dyktig, with you as its administrator.',
    'accountEmail.signup.button': 'Confirm and choose a password',
    'accountEmail.signup.validity': 'The link works for 24 hours and once only.',
    'accountEmail.signup.ignore':
      'If you did not ask for this, you can ignore this email. Nothing is created.',
    'accountEmail.account_exists.subject': 'You already have an account in Viktig/Dyktig',
    'accountEmail.account_exists.text':
      'Someone – perhaps you – tried to create a new organisation in Viktig/Dyktig with {email}. This address already has an account in {organization}, so nothing new was created. Log in as usual.',
    'accountEmail.account_exists.button': 'Log in',
    'accountEmail.account_exists.secondary': 'Forgot your password? Choose a new one here:',
    'accountEmail.account_exists.ignore': 'If it was not you, you can ignore this email.',
    'accountEmail.kind.welcome': 'Choose a password (new user)',
    'accountEmail.kind.password_reset': 'New password',
    'accountEmail.kind.signup': 'Confirm sign-up',
    'accountEmail.kind.account_exists': 'Already has an account',
    'accountEmail.linkHidden': '[the link is shown to its recipient only]',
    'outbox.accountTitle': 'Account email',
    'outbox.accountIntro':
      "Email about user accounts. Password links are shown to their recipient only; an administrator sees the link in a new user's first email.",
    'forgot.title': 'Forgot your password?',
    'forgot.intro':
      'Enter the email address you log in with, and we will send a link to choose a new password.',
    'forgot.submit': 'Send link',
    'forgot.tooMany': 'Too many requests. Try again in {minutes} minutes.',
    'login.forgot': 'Forgot your password?',
    'checkEmail.title': 'Check your email',
    'checkEmail.signup':
      'We have sent an email to the address you gave. Follow the link in it to confirm the address and choose a password. The link works for 24 hours.',
    'checkEmail.password_reset':
      'If the address belongs to a user, we have sent a link to choose a new password. The link works for 1 hour.',
    'checkEmail.spam': 'If you cannot find the email, look in your spam folder.',
    'setPassword.welcome.title': 'Choose a password',
    'setPassword.welcome.intro': 'Choose a password for {email} in {organization}.',
    'setPassword.password_reset.title': 'Choose a new password',
    'setPassword.password_reset.intro':
      'Choose a new password for {email}. You will be logged out everywhere else.',
    'setPassword.signup.title': 'Confirm and choose a password',
    'setPassword.signup.intro':
      'The address {email} is confirmed. Choose a password to create {organization}.',
    'setPassword.submit': 'Save password',
    'setPassword.invalid.title': 'This link does not work',
    'setPassword.invalid.text':
      'The link has been used, has expired or is not valid. You can ask for a new link to choose a password, or sign up again.',
    'setPassword.taken':
      'This address already has an account. Log in, or ask for a new password if you have forgotten it.',
    'signup.newIntro':
      'Create your organisation and its first administrator. We will send an email to confirm the address; there you choose a password.',
    'users.invited': 'Invited – has not chosen a password',
    'users.inviteHint': 'The user gets an email with a link to choose a password (valid for 7 days).',
  },
});
