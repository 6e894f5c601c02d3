// Confidential waves (issue 13; docs/decisions/0007-confidential-cuts.md). A *cut* is the set of submitted
// customer responses a report reads under its filter and the reader's scope; its size is their number. In a
// confidential wave a cut is suppressed when it has fewer than k respondents, or when a cut the reader can
// also reach contains it and has 1 to k − 1 respondents more (of two such nested cuts the larger is shown,
// so the difference — a handful of people — can never be computed from two shown figures). Pure: no I/O.

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
  for (const account of accounts) {
    if (cut.accountId !== undefined && account.accountId !== cut.accountId) continue;
    if (cut.segment !== undefined && account.segment !== cut.segment) continue;
    if (cut.kamUserId !== undefined && account.kamUserId !== cut.kamUserId) continue;
    size += account.responded;
  }
  return size;
}

/**
 * The cuts that contain `cut` and that `reader` may look at: `cut` with any subset of its constraints
 * dropped, except that a KAM never drops their own KAM constraint (their portfolio is their widest cut).
 * `cut` must be normalised; the cut itself is not among them.
 */
export function containingCuts(cut: Cut, reader: Reader): Cut[] {
  const present = KEYS.filter((key) => cut[key] !== undefined);
  const droppable = present.filter((key) => !(reader.role === 'kam' && key === 'kamUserId'));
  const cuts: Cut[] = [];
  // Every non-empty subset of the droppable constraints (at most 2³ − 1 = 7 cuts).
  for (let mask = 1; mask < 1 << droppable.length; mask++) {
    const larger: Cut = { ...cut };
    droppable.forEach((key, index) => {
      if (mask & (1 << index)) delete larger[key];
    });
    cuts.push(larger);
  }
  return cuts;
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
  for (const larger of containingCuts(normalised, reader)) {
    const difference = cutSize(larger, accounts) - size;
    if (difference >= 1 && difference <= k - 1) {
      return { size, suppressed: { k, reason: 'difference_below_k' } };
    }
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
