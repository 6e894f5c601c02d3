// Confidential waves (issue 13; docs/decisions/0007-confidential-cuts.md). A *cut* is the set of submitted
// customer responses a report reads under its filter and the reader's scope; its size is their number. In a
// confidential wave a cut is suppressed when it has fewer than k respondents, or when a cut the reader can
// also reach contains it — by its respondents, not by the spelling of its filters — and has 1 to k − 1
// respondents more (of two such nested cuts the larger is shown, so the difference — a handful of people —
// can never be computed from two shown figures). Pure: no I/O.

export type SuppressionReason = 'fewer_than_k' | 'difference_below_k';

export interface Suppression {
  k: number;
  reason: SuppressionReason;
}

/** Submitted customer responses of one account in a wave, with the account's segment and KAM now. */
export interface AccountCount {
  /** null: customer responses without an account (they count in the organisation-wide cut only). */
  accountId: string | null;
  segment: string | null;
  kamUserId: string | null;
  responded: number;
}

/**
 * A cut's constraints: absent (undefined) = not constrained. `segment: null` and `kamUserId: null` mean
 * accounts without a segment / without a KAM (the segments view's last group); the report's filters never
 * ask for them.
 */
export interface Cut {
  accountId?: string | undefined;
  segment?: string | null | undefined;
  kamUserId?: string | null | undefined;
}

export interface Reader {
  role: 'admin' | 'manager' | 'kam';
  userId: string;
}

export interface CutJudgement {
  /** Submitted customer responses in the cut. */
  size: number;
  suppressed: Suppression | null;
}

type Key = keyof Cut;
const KEYS: readonly Key[] = ['accountId', 'segment', 'kamUserId'];

/**
 * The cut with what its account implies: an account fixes its segment and its KAM. A filter that
 * contradicts its account (another segment or KAM) names an empty cut, which stays empty (`empty: true`).
 */
export function normaliseCut(cut: Cut, accounts: readonly AccountCount[]): { cut: Cut; empty: boolean } {
  const normalised: Cut = {
    ...(cut.accountId !== undefined ? { accountId: cut.accountId } : {}),
    ...(cut.segment !== undefined ? { segment: cut.segment } : {}),
    ...(cut.kamUserId !== undefined ? { kamUserId: cut.kamUserId } : {}),
  };
  if (cut.accountId === undefined) return { cut: normalised, empty: false };
  const account = accounts.find((candidate) => candidate.accountId === cut.accountId);
  // An account without invitations to the wave has no responses: an empty cut, whatever else it implies.
  if (!account) return { cut: normalised, empty: true };
  const contradicts =
    (cut.segment !== undefined && cut.segment !== account.segment) ||
    (cut.kamUserId !== undefined && cut.kamUserId !== account.kamUserId);
  return {
    cut: {
      accountId: account.accountId ?? undefined,
      segment: account.segment,
      kamUserId: account.kamUserId,
    },
    empty: contradicts,
  };
}

/** Submitted customer responses in a cut (every constraint must hold). */
export function cutSize(cut: Cut, accounts: readonly AccountCount[]): number {
  let size = 0;
  for (const account of accounts) if (inCut(cut, account)) size += account.responded;
  return size;
}

/** Whether an account's row falls in a cut (every constraint must hold). */
export const inCut = (cut: Cut, account: Pick<AccountCount, 'accountId' | 'segment' | 'kamUserId'>) =>
  (cut.accountId === undefined || account.accountId === cut.accountId) &&
  (cut.segment === undefined || account.segment === cut.segment) &&
  (cut.kamUserId === undefined || account.kamUserId === cut.kamUserId);

/**
 * Every cut `reader` can ask for through the report's filters and the segments view: the organisation (a
 * KAM: their portfolio), each segment (accounts without one too), each KAM, each segment ∧ KAM, each account —
 * a KAM only within their portfolio. Built from the accounts that have respondents, so at most
 * 2 + accounts + segments × (KAMs + 1) + KAMs cuts.
 */
export function requestableCuts(reader: Reader, accounts: readonly AccountCount[]): Cut[] {
  const scope: Cut = reader.role === 'kam' ? { kamUserId: reader.userId } : {};
  const rows = accounts.filter((account) => account.responded > 0 && inCut(scope, account));
  const segments = [...new Set(rows.map((account) => account.segment))];
  const kams =
    reader.role === 'kam'
      ? [reader.userId]
      : [...new Set(rows.flatMap((account) => (account.kamUserId === null ? [] : [account.kamUserId])))];
  const cuts: Cut[] = [scope];
  for (const segment of segments) {
    cuts.push({ ...scope, segment });
    for (const kamUserId of kams) cuts.push({ segment, kamUserId });
  }
  if (reader.role !== 'kam') for (const kamUserId of kams) cuts.push({ kamUserId });
  for (const account of rows) if (account.accountId !== null) cuts.push({ accountId: account.accountId });
  return cuts;
}

/**
 * The requestable cuts that contain `cut` by their respondents — every account with respondents in `cut` is
 * in them too, whatever the filters are called (a KAM's portfolio may lie inside one segment) — with how many
 * respondents more they hold. `cut` itself (the same respondents) is among them with 0.
 */
export function containingCuts(
  cut: Cut,
  reader: Reader,
  accounts: readonly AccountCount[],
): Array<{ cut: Cut; more: number }> {
  const members = accounts.filter((account) => account.responded > 0 && inCut(cut, account));
  const size = cutSize(cut, accounts);
  return requestableCuts(reader, accounts)
    .filter((larger) => members.every((account) => inCut(larger, account)))
    .map((larger) => ({ cut: larger, more: cutSize(larger, accounts) - size }));
}

const isWholeOrganisation = (cut: Cut) => KEYS.every((key) => cut[key] === undefined);

/**
 * Whether a cut of a confidential wave may be shown to `reader`, with k the organisation's minimum group
 * size. A cut with no respondents is not suppressed (it has nothing to show). An admin always sees the
 * organisation-wide cut, even below k; it still counts as a containing cut for everyone else's cuts. A KAM's
 * cut must carry their KAM constraint (the report's scoping adds it); a KAM cut without one is judged as the
 * KAM's portfolio would be, never wider.
 */
export function judgeCut(
  cut: Cut,
  options: { k: number; reader: Reader; accounts: readonly AccountCount[] },
): CutJudgement {
  const { k, reader, accounts } = options;
  const scoped: Cut = reader.role === 'kam' ? { ...cut, kamUserId: reader.userId } : cut;
  const { cut: normalised, empty } = normaliseCut(scoped, accounts);
  if (empty) return { size: 0, suppressed: null };
  const size = cutSize(normalised, accounts);
  if (size === 0) return { size, suppressed: null };
  if (reader.role === 'admin' && isWholeOrganisation(normalised)) return { size, suppressed: null };
  if (size < k) return { size, suppressed: { k, reason: 'fewer_than_k' } };
  // Of two nested cuts that differ by 1 to k − 1 respondents, the larger is shown.
  for (const { more } of containingCuts(normalised, reader, accounts)) {
    if (more >= 1 && more <= k - 1) return { size, suppressed: { k, reason: 'difference_below_k' } };
  }
  return { size, suppressed: null };
}

/**
 * The suppression of a wave's cut: none in an open wave (its respondents were told their answers are shown
 * as given), else judgeCut's.
 */
export function suppressionOf(
  confidential: boolean,
  cut: Cut,
  options: { k: number; reader: Reader; accounts: readonly AccountCount[] },
): Suppression | null {
  return confidential ? judgeCut(cut, options).suppressed : null;
}
