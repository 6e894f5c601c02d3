import { addMessages } from '../../lib/i18n.js';

const nb = {
  'criteria.title': 'Kriterier',
  'criteria.intro':
    'Kriteriene kundene og selgerne gir karakter på. En undersøkelse fryser listen den ble sendt med, så endringer her endrer aldri gamle resultater.',
  'criteria.active': 'I bruk',
  'criteria.retired': 'Tatt ut',
  'criteria.noneRetired': 'Ingen kriterier er tatt ut.',
  'criteria.noneActive': 'Ingen kriterier i bruk.',
  'criteria.position': 'Nr.',
  'criteria.labelNb': 'Navn (norsk)',
  'criteria.labelEn': 'Navn (engelsk)',
  'criteria.audience': 'Spørres',
  'criteria.audience.both': 'Kunder og selgere',
  'criteria.audience.seller': 'Bare selgere',
  'criteria.add': 'Legg til kriterium',
  'criteria.edit': 'Endre navn',
  'criteria.editTitle': 'Endre kriterium',
  'criteria.moveUp': 'Flytt opp',
  'criteria.moveDown': 'Flytt ned',
  'criteria.retire': 'Ta ut',
  'criteria.restore': 'Ta i bruk igjen',
  'criteria.back': 'Tilbake til kriteriene',
};

const en: Record<keyof typeof nb, string> = {
  'criteria.title': 'Criteria',
  'criteria.intro':
    'The criteria customers and sellers rate. A survey freezes the list it was sent with, so changes here never change old results.',
  'criteria.active': 'In use',
  'criteria.retired': 'Retired',
  'criteria.noneRetired': 'No retired criteria.',
  'criteria.noneActive': 'No criteria in use.',
  'criteria.position': 'No.',
  'criteria.labelNb': 'Name (Norwegian)',
  'criteria.labelEn': 'Name (English)',
  'criteria.audience': 'Asked of',
  'criteria.audience.both': 'Customers and sellers',
  'criteria.audience.seller': 'Sellers only',
  'criteria.add': 'Add criterion',
  'criteria.edit': 'Rename',
  'criteria.editTitle': 'Edit criterion',
  'criteria.moveUp': 'Move up',
  'criteria.moveDown': 'Move down',
  'criteria.retire': 'Retire',
  'criteria.restore': 'Restore',
  'criteria.back': 'Back to criteria',
};

addMessages({ nb, en });
