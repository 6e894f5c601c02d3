import { addMessages } from '../../lib/i18n.js';

// The methods page (/help/methods) and the plain-words readings of the deeper statistics (issue 12). The
// `analysis.*` keys name the results of server/analysis (alphaReading, derivedImportanceLevel,
// importanceDisagreement and the reasons a figure is null), so the report can show the same words.

const nb = {
  'help.methods.title': 'Slik regnes tallene ut',
  'help.methods.link': 'Slik regnes tallene ut',
  'help.methods.intro':
    'Denne siden forklarer hvert tall i gaprapporten: hva det er, hvordan det regnes ut, og hvordan du leser det. Skalaen er 1–10, der 10 er høyest.',
  'help.methods.dontKnow':
    '«Vet ikke» er ikke en karakter: svaret holdes utenfor alle beregninger (det telles aldri som 0). Derfor kan n være forskjellig fra kriterium til kriterium.',
  'help.methods.rounding':
    'Tallene lagres og regnes uten avrunding; siden viser dem med to desimaler (9,25 på norsk, 9.25 på engelsk).',
  'help.methods.notation': 'Notasjon',
  'help.methods.notation.x': 'én respondents karakter (1–10) på ett kriterium i én serie',
  'help.methods.notation.series':
    'De tre seriene er viktighet (selgere), viktighet (kunder) og leveranse (kunder).',
  'help.methods.contents': 'Innhold',
  'help.methods.formula': 'Formel',
  'help.methods.reading': 'Slik leser du det',
  'help.methods.where': 'der',

  'help.methods.group.perCriterion': 'Ett kriterium, én serie',
  'help.methods.group.gaps': 'Gap, indeks og svarprosent',
  'help.methods.group.quadrants': 'Kvadrantdiagrammet',
  'help.methods.group.waves': 'Mellom bølger',
  'help.methods.group.drivers': 'Tilfredshet, drivere og pålitelighet',
  'help.methods.group.segments': 'Segmenter',

  'help.methods.n.title': 'Antall svar (n)',
  'help.methods.n.what':
    'Hvor mange respondenter som har gitt kriteriet en karakter i serien. Bare innsendte svar teller; «vet ikke» og ubesvarte teller ikke.',
  'help.methods.n.formula': 'antall respondenter med en karakter 1–10 på kriteriet',
  'help.methods.n.read':
    'Rapporten viser alltid n. Kolonnen «n kunder» er den minste av n for kundenes viktighet og leveranse.',

  'help.methods.mean.title': 'Snitt',
  'help.methods.mean.what': 'Gjennomsnittet av karakterene på kriteriet i serien.',
  'help.methods.mean.read':
    'Et snitt av få svar kan flytte seg mye med ett svar til; se n og konfidensintervallet.',

  'help.methods.sd.title': 'Standardavvik (SD)',
  'help.methods.sd.what':
    'Hvor mye karakterene spriker rundt snittet: utvalgets standardavvik, delt på n − 1. Finnes ikke når n er under 2.',
  'help.methods.sd.read':
    'Lite SD: respondentene er enige. Stort SD: de er uenige, og snittet skjuler store forskjeller.',

  'help.methods.ci.title': '95 % konfidensintervall (KI)',
  'help.methods.ci.what':
    'Området som med 95 % sikkerhet inneholder det sanne snittet, regnet med Students t-fordeling med n − 1 frihetsgrader (som tar høyde for små utvalg). Finnes ikke når n er under 2.',
  'help.methods.ci.tQuantile': 'er 97,5 %-kvantilen i t-fordelingen med n − 1 frihetsgrader',
  'help.methods.ci.read':
    'Jo smalere intervall, jo sikrere snitt. Med 3–5 svar blir intervallet bredt: to snitt med overlappende intervaller er ikke nødvendigvis forskjellige.',

  'help.methods.smallSample.title': 'Få svar (terskel for lite utvalg)',
  'help.methods.smallSample.what':
    'Organisasjonen setter en terskel (standard 5 svar). En serie der selv det best besvarte kriteriet har færre svar enn terskelen, merkes «Få svar – tolk tallene med forsiktighet». Resultatene vises likevel, aldri skjult og aldri overdrevet.',
  'help.methods.smallSample.warnWhen': 'advarsel når',
  'help.methods.smallSample.max': 'maks',
  'help.methods.smallSample.threshold': 'terskel',
  'help.methods.smallSample.read':
    'I nøkkelkundearbeid er få svar det normale. Les slike tall som en pekepinn. Den samme terskelen styrer pilene for endring mellom bølger og merknaden ved listen «Konsentrer innsatsen her».',

  'help.methods.deliveryGap.title': 'Leveransegap',
  'help.methods.deliveryGap.what':
    'Kundenes snitt for leveranse minus kundenes snitt for viktighet på kriteriet.',
  'help.methods.deliveryGap.read':
    'Negativt: dere leverer mindre enn kunden synes kriteriet er viktig. Det mest negative gapet er ofte stedet å begynne.',

  'help.methods.alignmentGap.title': 'Samsvarsgap',
  'help.methods.alignmentGap.what': 'Selgernes snitt for viktighet minus kundenes snitt for viktighet.',
  'help.methods.alignmentGap.read':
    'Negativt: selgerne verdsetter kriteriet mindre enn kundene gjør. Gapet vurderes etter størrelse, uansett fortegn: størst avvik er varselet, nærmest 0 er best samsvar.',

  'help.methods.deliveryIndex.title': 'Samlet leveranseindeks',
  'help.methods.deliveryIndex.what':
    'Det enkle snittet av kriterienes snitt for kundenes leveranse, over de m kriteriene som har leveransesvar. Hvert kriterium teller likt, uansett hvor mange som svarte på det.',
  'help.methods.deliveryIndex.read': 'Ett tall for hvor godt dere leverer alt i alt, på skalaen 1–10.',

  'help.methods.responseRate.title': 'Svarprosent',
  'help.methods.responseRate.what':
    'Per rolle (kunder, selgere): innsendte svar delt på inviterte. Et svar som er åpnet eller lagret, men ikke sendt inn, teller ikke.',
  'help.methods.responseRate.formula': 'innsendte / inviterte',
  'help.methods.responseRate.read':
    'Vises i hele prosent. Lav svarprosent (for eksempel 4 av 13) gjør resultatene mindre representative: purr på dem som ikke har svart.',

  'help.methods.markers.title': 'Lavest og høyest',
  'help.methods.markers.what':
    '▼ lavest og ▲ høyest markerer den laveste og høyeste verdien i hver kolonne for snitt og leveransegap, bare når verdiene er ulike. For samsvarsgapet markeres ⚠ størst avvik og ✓ nærmest 0, etter gapets størrelse.',
  'help.methods.markers.read': 'Markeringene er tegn og ord, ikke bare farge, og står også i utskriften.',

  'help.methods.quadrants.title': 'Kvadranter',
  'help.methods.quadrants.what':
    'Viktighet/leveranse-analysen (Martilla og James, 1977) plasserer hvert kriterium etter kundenes snitt: leveranse vannrett (x), viktighet loddrett (y). Trådkorset deler diagrammet i fire:',
  'help.methods.quadrants.rule': 'Regel',
  'help.methods.quadrants.name': 'Kvadrant',
  'help.methods.quadrants.concentrate': 'Konsentrer innsatsen her',
  'help.methods.quadrants.keep': 'Fortsett det gode arbeidet',
  'help.methods.quadrants.low': 'Lav prioritet',
  'help.methods.quadrants.overkill': 'Mulig overinnsats',
  'help.methods.quadrants.ruleConcentrate': 'viktighet ≥ trådkors, leveranse < trådkors',
  'help.methods.quadrants.ruleKeep': 'viktighet ≥ trådkors, leveranse ≥ trådkors',
  'help.methods.quadrants.ruleLow': 'viktighet < trådkors, leveranse < trådkors',
  'help.methods.quadrants.ruleOverkill': 'viktighet < trådkors, leveranse ≥ trådkors',
  'help.methods.quadrants.read':
    '«Konsentrer innsatsen her» er listen over hva som bør forbedres først, sortert etter leveransegapet (mest negativt først).',

  'help.methods.crosshairs.title': 'Trådkors',
  'help.methods.crosshairs.what':
    'Standard er de store snittene (datasentrert): snittet av kriterienes viktighetssnitt og snittet av kriterienes leveransesnitt, over kriteriene som har begge. Alternativt midt på skalaen, 5,5.',
  'help.methods.crosshairs.midpoint': 'eller begge ved skalaens midtpunkt, 5,5',
  'help.methods.crosshairs.read':
    'Med de store snittene viser kvadrantene hva som er viktigst og best levert sammenlignet med de andre kriteriene. Når alle karakterene ligger høyt (9–10), er det dette som skiller.',

  'help.methods.uncertain.title': 'Usikker plassering',
  'help.methods.uncertain.what':
    'Et kriterium merkes usikkert når 95 %-intervallet for viktighet eller leveranse krysser trådkorset, eller mangler (n under 2). Diagrammet viser det med et hult punkt, tabellen med ordet «usikker».',
  'help.methods.uncertain.read': 'Et usikkert kriterium kan like gjerne høre til en nabokvadrant.',

  'help.methods.change.title': 'Endring mellom bølger',
  'help.methods.change.what':
    'Rapporten sammenligner bølgen med bølgen før i serien (eller en bølge du velger), med de samme filtrene på begge sider. For hvert kriterium og hver serie: endringen i snitt, og Welchs t-test (ulike varianser) av om den er mer enn tilfeldig. Bare hver bølges n, Σx og Σx² trengs.',
  'help.methods.change.df': 'Welch–Satterthwaite-frihetsgrader:',
  'help.methods.change.p': 'tosidig p fra Students t-fordeling:',
  'help.methods.change.edge':
    'Ingen test når en av bølgene har under 2 svar. Er det ingen spredning på noen av sidene, er p = 1 når snittene er like, og ingen test når de er ulike.',
  'help.methods.change.read':
    '«Signifikant» betyr p < 0,05. ▲ eller ▼ vises bare når endringen er signifikant og begge bølgene har minst terskelens antall svar; ellers står «for få svar». En endring uten pil kan være tilfeldig. Med mange kriterier og tre serier vil noen piler være tilfeldige (det korrigeres ikke for mange sammenligninger). Et kriterium den tidligere bølgen ikke spurte om, står som «ikke spurt da».',
  'help.methods.change.index':
    'Endringen i leveranseindeksen sammenligner hver bølges egen indeks under de samme filtrene.',

  'help.methods.trend.title': 'Utvikling over tid',
  'help.methods.trend.what':
    'For hver bølge i serien (eldste først, utkast utelatt): kundenes snitt for leveranse per kriterium og leveranseindeksen, under rapportens filtre. Samme formler som for én bølge.',
  'help.methods.trend.read':
    'Kriterier regnes som det samme på tvers av bølger når nøkkelen er lik, ellers når de er laget fra samme kriterium i biblioteket. Et kriterium en bølge ikke spurte om, har et hull i linjen.',

  'help.methods.overall.title': 'Samlet tilfredshet',
  'help.methods.overall.what':
    'Etter kriteriene spør skjemaet kundene: «Alt i alt, hvor fornøyd er du med {supplier}?» (1–10, med «vet ikke»). Spørsmålet kan slås av per bølge. Rapporten viser n, snitt, SD og 95 % KI som for et kriterium.',
  'help.methods.overall.supplier': 'leverandøren',
  'help.methods.overall.read': 'Det ene tallet kundene selv gir for forholdet som helhet.',

  'help.methods.derived.title': 'Avledet viktighet',
  'help.methods.derived.what':
    'Pearsons korrelasjon r mellom kundenes leveransekarakter på kriteriet og deres samlede tilfredshet, over kundene som ga begge (parvis). Finnes ikke når n er under 3, eller når en av sidene er uten spredning (alle ga samme karakter).',
  'help.methods.derived.pairs': 'over de n kundene som ga både x (leveranse) og y (samlet tilfredshet)',
  'help.methods.derived.read':
    'r går fra −1 til 1. Høy r: kunder som er fornøyd med dette kriteriet, er også mest fornøyd alt i alt – kriteriet driver tilfredsheten. r nær 0: ingen sammenheng. Korrelasjon er ikke årsak, og med få kunder er r svært usikker.',

  'help.methods.statedVsDerived.title': 'Oppgitt og avledet viktighet',
  'help.methods.statedVsDerived.what':
    'Oppgitt viktighet er det kundene svarer på «Hvor viktig er kriteriet for dere?». Den samler seg gjerne øverst på skalaen, så nesten alt blir «viktig». Avledet viktighet viser hva som faktisk henger sammen med tilfredsheten. Kvadrantdiagrammet kan bytte den loddrette aksen mellom de to.',
  'help.methods.statedVsDerived.levels': 'Avledet viktighet leses slik:',
  'help.methods.statedVsDerived.case': 'Avvik',
  'help.methods.statedVsDerived.rule': 'Regel',
  'help.methods.statedVsDerived.disagree': 'Når de er uenige',
  'help.methods.statedVsDerived.ruleStated': 'oppgitt viktighet ≥ trådkorset, men r < 0,3',
  'help.methods.statedVsDerived.ruleHidden': 'oppgitt viktighet < trådkorset, men r ≥ 0,5',
  'help.methods.statedVsDerived.read':
    'En skjult driver fortjener mer oppmerksomhet enn kundene selv gir uttrykk for; et kriterium som er «oppgitt viktig, men driver ikke tilfredsheten», er kanskje en forutsetning som allerede er oppfylt.',

  'help.methods.alpha.title': 'Cronbachs α (pålitelighet)',
  'help.methods.alpha.what':
    'Hvor godt kriteriene i en serie måler én og samme ting (intern konsistens). Regnes over respondentene som ga karakter på alle seriens kriterier (listevis): for kundenes serier kriteriene kundene blir spurt om, for selgernes alle kriteriene. Finnes ikke når n er under 3, når k er under 2, eller når summene ikke varierer.',
  'help.methods.alpha.k': 'antall kriterier i serien',
  'help.methods.alpha.varItem': 'utvalgsvariansen (n − 1) av karakterene på kriterium j',
  'help.methods.alpha.varTotal': 'utvalgsvariansen av T, hver respondents sum over de k kriteriene',
  'help.methods.alpha.read': 'Vanlig lesning: 0,7 eller mer er akseptabel intern konsistens.',

  'help.methods.alphaIfDeleted.title': 'α hvis kriteriet fjernes',
  'help.methods.alphaIfDeleted.what':
    'α for de andre k − 1 kriteriene, over de samme respondentene. Finnes ikke når det blir færre enn 2 kriterier igjen.',
  'help.methods.alphaIfDeleted.read':
    'Blir α høyere uten et kriterium, måler det kriteriet noe annet enn de andre. Det er ikke galt i seg selv – kriteriet kan være viktig av andre grunner.',

  'help.methods.segments.title': 'Segmenter side om side',
  'help.methods.segments.what':
    'Kundene deles etter kundens segment (A/B/C eller organisasjonens egne). For hvert segment regnes svarprosent, samlet tilfredshet og alle tallene per kriterium med de samme formlene, bare over svarene fra kundene i det segmentet.',
  'help.methods.segments.read':
    'Segmentene har ofte få svar hver: terskelen for lite utvalg gjelder for hvert segment for seg. Selgere hører ikke til en kunde og dermed ikke til et segment.',

  'help.methods.confidential.title': 'Konfidensielle målinger: grupper på minst k',
  'help.methods.confidential.what':
    'I en konfidensiell måling er kundene lovet at svarene deres bare vises samlet. Et utvalg er de innsendte kundesvarene en rapport leser med filtrene og leserens tilgang (hele organisasjonen, en KAMs kunder, et segment, en kunde eller en kombinasjon); størrelsen er antall kunder som har svart. k er organisasjonens minste gruppestørrelse (standard 3).',
  'help.methods.confidential.rule':
    'Et utvalg skjules når det har færre enn k svar, eller når et større utvalg leseren også kan se, og som inneholder det, har 1 til k − 1 svar mer: av to slike utvalg vises det største, så forskjellen – noen få personer – aldri kan regnes ut. De større utvalgene er alle utvalg leseren kan be om (organisasjonen, et segment, en KAM, segment og KAM, en kunde) som har med alle utvalgets kunder – også når filtrene heter noe annet, for eksempel en KAMs kunder som alle ligger i ett segment; en KAM ser aldri lenger enn sine egne kunder. En administrator ser alltid hele organisasjonen, også under k. Et utvalg uten svar er ikke skjult, det har bare ingen svar.',
  'help.methods.confidential.hidden':
    'Når et utvalg er skjult, vises ingen kundetall eller kommentarer fra det: verken snitt, gap, kvadranter, leveranseindeks, samlet tilfredshet, avledet viktighet, α for kundene, endring, utvikling eller segmentets kolonne. Selgernes viktighet gjelder hele organisasjonen og vises som før. Kommentarer som vises, står uten kundens navn, og eksporten har ikke kunde, segment, KAM, respondent-id eller innsendingstidspunkt på kunderadene. En sammenlignet måling og målingene i utviklingen vurderes hver for seg, med sine egne svar og sitt eget valg.',
  'help.methods.confidential.read':
    '«Færre enn k svar» betyr at utvalget er for lite; «skjult fordi forskjellen til et større utvalg er under k svar» betyr at tallene ellers kunne trekkes fra det større utvalgets. Velg et bredere utvalg for å se tallene. I en åpen måling vises alt som før.',

  'analysis.alpha.excellent':
    'Svært høy (0,9 eller mer): kriteriene henger tett sammen – noen kan være overflødige.',
  'analysis.alpha.acceptable': 'Akseptabel (0,7 eller mer): kriteriene måler i stor grad det samme.',
  'analysis.alpha.questionable': 'Tvilsom (under 0,7): kriteriene måler bare delvis det samme.',
  'analysis.alpha.inconsistent':
    'Negativ: kriteriene måler ikke én ting (ofte et tegn på for få svar eller kriterier som trekker hver sin vei).',
  'analysis.alpha.reason.too_few': 'Ingen α: færre enn 3 respondenter ga karakter på alle kriteriene.',
  'analysis.alpha.reason.too_few_items': 'Ingen α: serien har færre enn 2 kriterier.',
  'analysis.alpha.reason.no_spread': 'Ingen α: alle respondentene har samme sum.',
  'analysis.derived.level.high': 'Høy (r ≥ 0,5)',
  'analysis.derived.level.moderate': 'Middels (0,3 ≤ r < 0,5)',
  'analysis.derived.level.low': 'Lav (r < 0,3)',
  'analysis.derived.stated_not_driving': 'Oppgitt viktig, men driver ikke tilfredsheten',
  'analysis.derived.hidden_driver': 'Skjult driver',
  'analysis.derived.reason.too_few': 'Ingen r: færre enn 3 kunder ga både leveranse og samlet tilfredshet.',
  'analysis.derived.reason.no_spread_delivery': 'Ingen r: alle kundene ga samme leveransekarakter.',
  'analysis.derived.reason.no_spread_satisfaction': 'Ingen r: alle kundene ga samme samlede tilfredshet.',
} as const;

type Key = keyof typeof nb;

const en: Record<Key, string> = {
  'help.methods.title': 'How the figures are computed',
  'help.methods.link': 'How the figures are computed',
  'help.methods.intro':
    'This page explains every figure in the gap report: what it is, how it is computed, and how to read it. The scale is 1–10, 10 highest.',
  'help.methods.dontKnow':
    '"Don\'t know" is not a score: the answer is left out of every calculation (it is never counted as 0). That is why n can differ from criterion to criterion.',
  'help.methods.rounding':
    'Figures are stored and computed unrounded; the page shows them with two decimals (9.25 in English, 9,25 in Norwegian).',
  'help.methods.notation': 'Notation',
  'help.methods.notation.x': 'one respondent’s score (1–10) on one criterion in one series',
  'help.methods.notation.series':
    'The three series are seller importance, customer importance and customer performance.',
  'help.methods.contents': 'Contents',
  'help.methods.formula': 'Formula',
  'help.methods.reading': 'How to read it',
  'help.methods.where': 'where',

  'help.methods.group.perCriterion': 'One criterion, one series',
  'help.methods.group.gaps': 'Gaps, index and response rate',
  'help.methods.group.quadrants': 'The quadrant chart',
  'help.methods.group.waves': 'Between waves',
  'help.methods.group.drivers': 'Satisfaction, drivers and reliability',
  'help.methods.group.segments': 'Segments',

  'help.methods.n.title': 'Number of answers (n)',
  'help.methods.n.what':
    'How many respondents gave the criterion a score in the series. Only submitted responses count; "don\'t know" and unanswered do not.',
  'help.methods.n.formula': 'number of respondents with a score 1–10 on the criterion',
  'help.methods.n.read':
    'The report always states n. The "n customers" column is the smaller of the n for customer importance and performance.',

  'help.methods.mean.title': 'Mean',
  'help.methods.mean.what': 'The average of the scores on the criterion in the series.',
  'help.methods.mean.read':
    'A mean of few answers can move a lot with one more answer; look at n and the confidence interval.',

  'help.methods.sd.title': 'Standard deviation (SD)',
  'help.methods.sd.what':
    'How widely the scores spread around the mean: the sample standard deviation, dividing by n − 1. None when n is below 2.',
  'help.methods.sd.read':
    'Small SD: respondents agree. Large SD: they disagree, and the mean hides large differences.',

  'help.methods.ci.title': '95 % confidence interval (CI)',
  'help.methods.ci.what':
    'The range that contains the true mean with 95 % confidence, computed with Student’s t distribution with n − 1 degrees of freedom (which allows for small samples). None when n is below 2.',
  'help.methods.ci.tQuantile': 'is the 97.5 % quantile of the t distribution with n − 1 degrees of freedom',
  'help.methods.ci.read':
    'The narrower the interval, the surer the mean. With 3–5 answers it is wide: two means whose intervals overlap are not necessarily different.',

  'help.methods.smallSample.title': 'Few answers (the small-sample threshold)',
  'help.methods.smallSample.what':
    'The organisation sets a threshold (default 5 answers). A series in which even the best-answered criterion has fewer answers than the threshold is marked "Few answers – read the figures with care". The results are still shown, never hidden and never overstated.',
  'help.methods.smallSample.warnWhen': 'warning when',
  'help.methods.smallSample.max': 'max',
  'help.methods.smallSample.threshold': 'threshold',
  'help.methods.smallSample.read':
    'In key account management few answers are the norm. Read such figures as a pointer. The same threshold governs the arrows of change between waves and the note beside the "Concentrate here" list.',

  'help.methods.deliveryGap.title': 'Delivery gap',
  'help.methods.deliveryGap.what':
    'Customers’ mean performance minus customers’ mean importance on the criterion.',
  'help.methods.deliveryGap.read':
    'Negative: you deliver less than the customer finds the criterion important. The most negative gap is often the place to start.',

  'help.methods.alignmentGap.title': 'Alignment gap',
  'help.methods.alignmentGap.what': 'Sellers’ mean importance minus customers’ mean importance.',
  'help.methods.alignmentGap.read':
    'Negative: sellers value the criterion less than customers do. The gap is judged by its size, whichever its sign: the largest mismatch is the warning, the gap nearest 0 the best alignment.',

  'help.methods.deliveryIndex.title': 'Overall delivery index',
  'help.methods.deliveryIndex.what':
    'The plain mean of the criteria’s customer-performance means, over the m criteria with performance answers. Every criterion weighs the same, however many answered it.',
  'help.methods.deliveryIndex.read': 'One figure for how well you deliver overall, on the 1–10 scale.',

  'help.methods.responseRate.title': 'Response rate',
  'help.methods.responseRate.what':
    'Per role (customers, sellers): submitted responses divided by invitations. A response opened or saved but not submitted does not count.',
  'help.methods.responseRate.formula': 'submitted / invited',
  'help.methods.responseRate.read':
    'Shown in whole percent. A low response rate (say 4 of 13) makes the results less representative: remind those who have not answered.',

  'help.methods.markers.title': 'Lowest and highest',
  'help.methods.markers.what':
    '▼ lowest and ▲ highest mark the lowest and highest value of each column of means and of the delivery gap, only where the values differ. The alignment gap is marked ⚠ largest mismatch and ✓ nearest 0, by the size of the gap.',
  'help.methods.markers.read': 'The markers are signs and words, not colour alone, and are printed too.',

  'help.methods.quadrants.title': 'Quadrants',
  'help.methods.quadrants.what':
    'Importance-performance analysis (Martilla and James, 1977) places each criterion by the customers’ means: performance across (x), importance up (y). The crosshairs divide the chart into four:',
  'help.methods.quadrants.rule': 'Rule',
  'help.methods.quadrants.name': 'Quadrant',
  'help.methods.quadrants.concentrate': 'Concentrate here',
  'help.methods.quadrants.keep': 'Keep up the good work',
  'help.methods.quadrants.low': 'Low priority',
  'help.methods.quadrants.overkill': 'Possible overkill',
  'help.methods.quadrants.ruleConcentrate': 'importance ≥ crosshair, performance < crosshair',
  'help.methods.quadrants.ruleKeep': 'importance ≥ crosshair, performance ≥ crosshair',
  'help.methods.quadrants.ruleLow': 'importance < crosshair, performance < crosshair',
  'help.methods.quadrants.ruleOverkill': 'importance < crosshair, performance ≥ crosshair',
  'help.methods.quadrants.read':
    '"Concentrate here" is the list of what to improve first, sorted by delivery gap (most negative first).',

  'help.methods.crosshairs.title': 'Crosshairs',
  'help.methods.crosshairs.what':
    'By default the grand means (data-centred): the mean of the criteria’s importance means and the mean of their performance means, over the criteria that have both. Optionally the scale midpoint, 5.5.',
  'help.methods.crosshairs.midpoint': 'or both at the scale midpoint, 5.5',
  'help.methods.crosshairs.read':
    'With the grand means the quadrants show what is most important and best delivered compared with the other criteria. When every score is high (9–10), that is what tells them apart.',

  'help.methods.uncertain.title': 'Uncertain placement',
  'help.methods.uncertain.what':
    'A criterion is marked uncertain when the 95 % interval of its importance or performance reaches across the crosshair, or is missing (n below 2). The chart shows it with a hollow point, the table with the word "uncertain".',
  'help.methods.uncertain.read': 'An uncertain criterion may just as well belong to a neighbouring quadrant.',

  'help.methods.change.title': 'Change between waves',
  'help.methods.change.what':
    'The report compares the wave with the wave before it in its series (or one you choose), with the same filters on both sides. Per criterion and series: the change of the mean, and Welch’s t-test (unequal variances) of whether it is more than chance. Each wave’s n, Σx and Σx² suffice.',
  'help.methods.change.df': 'Welch–Satterthwaite degrees of freedom:',
  'help.methods.change.p': 'two-sided p from Student’s t distribution:',
  'help.methods.change.edge':
    'No test when either wave has fewer than 2 answers. With no spread on either side, p = 1 when the means are equal, and no test when they differ.',
  'help.methods.change.read':
    '"Significant" means p < 0.05. ▲ or ▼ appears only when the change is significant and both waves have at least the threshold’s number of answers; otherwise it says "too few answers". A change without an arrow may be chance. With many criteria and three series some arrows will be chance (there is no correction for multiple comparisons). A criterion the earlier wave did not ask says "not asked then".',
  'help.methods.change.index':
    'The change of the delivery index compares each wave’s own index under the same filters.',

  'help.methods.trend.title': 'Trend',
  'help.methods.trend.what':
    'For every wave of the series (oldest first, drafts left out): the customers’ mean performance per criterion and the delivery index, under the report’s filters. The same formulas as for one wave.',
  'help.methods.trend.read':
    'Criteria are the same across waves when their keys are equal, else when they were made from the same library criterion. A criterion a wave did not ask leaves a gap in its line.',

  'help.methods.overall.title': 'Overall satisfaction',
  'help.methods.overall.what':
    'After the criteria the form asks customers: "Overall, how satisfied are you with {supplier}?" (1–10, with "don\'t know"). The question can be switched off per wave. The report shows n, mean, SD and 95 % CI as for a criterion.',
  'help.methods.overall.supplier': 'the supplier',
  'help.methods.overall.read': 'The one figure customers themselves give for the relationship as a whole.',

  'help.methods.derived.title': 'Derived importance',
  'help.methods.derived.what':
    'Pearson’s correlation r between customers’ performance score on the criterion and their overall satisfaction, over the customers who gave both (pairwise). None when n is below 3, or when either side has no spread (everyone gave the same score).',
  'help.methods.derived.pairs':
    'over the n customers who gave both x (performance) and y (overall satisfaction)',
  'help.methods.derived.read':
    'r runs from −1 to 1. High r: customers satisfied with this criterion are also the most satisfied overall – the criterion drives satisfaction. r near 0: no relation. Correlation is not causation, and with few customers r is very uncertain.',

  'help.methods.statedVsDerived.title': 'Stated and derived importance',
  'help.methods.statedVsDerived.what':
    'Stated importance is what customers answer to "How important is this criterion to you?". It tends to cluster near the top of the scale, so nearly everything is "important". Derived importance shows what actually goes with satisfaction. The quadrant chart can switch its vertical axis between the two.',
  'help.methods.statedVsDerived.levels': 'Derived importance is read as:',
  'help.methods.statedVsDerived.case': 'Disagreement',
  'help.methods.statedVsDerived.rule': 'Rule',
  'help.methods.statedVsDerived.disagree': 'When they disagree',
  'help.methods.statedVsDerived.ruleStated': 'stated importance ≥ the crosshair, but r < 0.3',
  'help.methods.statedVsDerived.ruleHidden': 'stated importance < the crosshair, but r ≥ 0.5',
  'help.methods.statedVsDerived.read':
    'A hidden driver deserves more attention than customers say; a criterion "stated important but not driving satisfaction" may be a prerequisite that is already met.',

  'help.methods.alpha.title': 'Cronbach’s α (reliability)',
  'help.methods.alpha.what':
    'How consistently the criteria of a series measure one thing (internal consistency). Computed over the respondents who scored every criterion of the series (listwise): for the customer series the criteria customers are asked, for the seller series all the criteria. None when n is below 3, k below 2, or the totals do not vary.',
  'help.methods.alpha.k': 'the number of criteria in the series',
  'help.methods.alpha.varItem': 'the sample variance (n − 1) of the scores on criterion j',
  'help.methods.alpha.varTotal': 'the sample variance of T, each respondent’s total over the k criteria',
  'help.methods.alpha.read': 'The usual reading: 0.7 or more is acceptable internal consistency.',

  'help.methods.alphaIfDeleted.title': 'α if the criterion is deleted',
  'help.methods.alphaIfDeleted.what':
    'α of the other k − 1 criteria, over the same respondents. None when fewer than 2 criteria would remain.',
  'help.methods.alphaIfDeleted.read':
    'If α rises without a criterion, that criterion measures something other than the rest. That is not wrong in itself – it may matter for other reasons.',

  'help.methods.segments.title': 'Segments side by side',
  'help.methods.segments.what':
    'Customers are grouped by their account’s segment (A/B/C or the organisation’s own). For each segment the response rate, overall satisfaction and every per-criterion figure are computed with the same formulas, over the answers of that segment’s customers only.',
  'help.methods.segments.read':
    'Segments often have few answers each: the small-sample threshold applies to each segment on its own. Sellers belong to no account and so to no segment.',

  'help.methods.confidential.title': 'Confidential waves: groups of at least k',
  'help.methods.confidential.what':
    'In a confidential wave customers were promised that their answers are shown only combined. A cut is the submitted customer responses a report reads under its filters and the reader’s access (the whole organisation, a KAM’s accounts, a segment, an account or a combination); its size is the number of customers who answered. k is the organisation’s minimum group size (3 by default).',
  'help.methods.confidential.rule':
    'A cut is hidden when it has fewer than k answers, or when a larger cut the reader can also see, containing it, has 1 to k − 1 answers more: of two such cuts the larger is shown, so the difference – a few people – can never be worked out. The larger cuts are all cuts the reader can ask for (the organisation, a segment, a KAM, segment and KAM, an account) that hold every customer of the cut – also when their filters are named otherwise, such as a KAM whose accounts all lie in one segment; a KAM never sees beyond their own accounts. An admin always sees the whole organisation, even below k. A cut without answers is not hidden: it simply has none.',
  'help.methods.confidential.hidden':
    'A hidden cut shows no customer figure or comment: no means, gaps, quadrants, delivery index, overall satisfaction, derived importance, customers’ α, change, trend or segment column. Seller importance covers the whole organisation and is shown as before. Comments that are shown come without the customer’s name, and the export leaves account, segment, KAM, respondent id and submission time out of customer rows. A compared wave and the waves of the trend are judged each on its own, by its own answers and its own choice.',
  'help.methods.confidential.read':
    '“Fewer than k answers” means the cut is too small; “hidden: it differs from a larger cut by fewer than k answers” means its figures could otherwise be subtracted from the larger cut’s. Choose a wider selection to see figures. In an open wave everything is shown as before.',

  'analysis.alpha.excellent':
    'Excellent (0.9 or more): the criteria hang closely together – some may be redundant.',
  'analysis.alpha.acceptable': 'Acceptable (0.7 or more): the criteria largely measure the same thing.',
  'analysis.alpha.questionable': 'Questionable (below 0.7): the criteria only partly measure the same thing.',
  'analysis.alpha.inconsistent':
    'Negative: the criteria do not measure one thing (often a sign of too few answers or criteria pulling different ways).',
  'analysis.alpha.reason.too_few': 'No α: fewer than 3 respondents scored every criterion.',
  'analysis.alpha.reason.too_few_items': 'No α: the series has fewer than 2 criteria.',
  'analysis.alpha.reason.no_spread': 'No α: every respondent has the same total.',
  'analysis.derived.level.high': 'High (r ≥ 0.5)',
  'analysis.derived.level.moderate': 'Moderate (0.3 ≤ r < 0.5)',
  'analysis.derived.level.low': 'Low (r < 0.3)',
  'analysis.derived.stated_not_driving': 'Stated important but not driving satisfaction',
  'analysis.derived.hidden_driver': 'Hidden driver',
  'analysis.derived.reason.too_few':
    'No r: fewer than 3 customers gave both performance and overall satisfaction.',
  'analysis.derived.reason.no_spread_delivery': 'No r: every customer gave the same performance score.',
  'analysis.derived.reason.no_spread_satisfaction':
    'No r: every customer gave the same overall satisfaction.',
};

addMessages({ nb, en });
