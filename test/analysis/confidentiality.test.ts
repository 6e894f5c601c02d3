import { describe, expect, it } from 'vitest';
import {
  type AccountCount,
  containingCuts,
  cutSize,
  judgeCut,
  normaliseCut,
  type Reader,
  requestableCuts,
  suppressionOf,
} from '../../server/analysis/confidentiality.js';

const kari: Reader = { role: 'kam', userId: 'kari' };
const ola: Reader = { role: 'kam', userId: 'ola' };
const manager: Reader = { role: 'manager', userId: 'mia' };
const admin: Reader = { role: 'admin', userId: 'ada' };

const account = (
  accountId: string | null,
  responded: number,
  segment: string | null,
  kamUserId: string | null,
): AccountCount => ({ accountId, responded, segment, kamUserId });

describe('cutSize and normaliseCut', () => {
  const accounts = [
    account('a1', 3, 'A', 'kari'),
    account('a2', 2, 'B', 'kari'),
    account('a3', 4, 'A', 'ola'),
    account('a4', 1, null, null),
    account(null, 2, null, null),
  ];

  it('adds the responses of the accounts every constraint matches', () => {
    expect(cutSize({}, accounts)).toBe(3 + 2 + 4 + 1 + 2);
    expect(cutSize({ segment: 'A' }, accounts)).toBe(3 + 4);
    expect(cutSize({ kamUserId: 'kari' }, accounts)).toBe(3 + 2);
    expect(cutSize({ segment: 'A', kamUserId: 'kari' }, accounts)).toBe(3);
    expect(cutSize({ segment: null }, accounts)).toBe(1 + 2);
    expect(cutSize({ kamUserId: null }, accounts)).toBe(1 + 2);
    expect(cutSize({ accountId: 'a3' }, accounts)).toBe(4);
  });

  it('gives an account its segment and KAM, and an account that contradicts the filter an empty cut', () => {
    expect(normaliseCut({ accountId: 'a2' }, accounts)).toEqual({
      cut: { accountId: 'a2', segment: 'B', kamUserId: 'kari' },
      empty: false,
    });
    expect(normaliseCut({ accountId: 'a2', segment: 'A' }, accounts).empty).toBe(true);
    expect(normaliseCut({ accountId: 'a2', kamUserId: 'ola' }, accounts).empty).toBe(true);
    expect(normaliseCut({ accountId: 'unknown' }, accounts).empty).toBe(true);
    expect(normaliseCut({ segment: 'A' }, accounts)).toEqual({ cut: { segment: 'A' }, empty: false });
  });

  it('lists the cuts a reader can ask for: a KAM only within their portfolio', () => {
    const managerCuts = requestableCuts(manager, accounts);
    expect(managerCuts).toContainEqual({});
    expect(managerCuts).toContainEqual({ segment: null });
    expect(managerCuts).toContainEqual({ kamUserId: 'ola' });
    expect(managerCuts).toContainEqual({ segment: 'A', kamUserId: 'kari' });
    expect(managerCuts).toContainEqual({ accountId: 'a4' });
    const kariCuts = requestableCuts(kari, accounts);
    for (const cut of kariCuts)
      expect(cutSize(cut, accounts) <= cutSize({ kamUserId: 'kari' }, accounts)).toBe(true);
    expect(kariCuts).not.toContainEqual({ accountId: 'a3' });
    expect(kariCuts).toContainEqual({ kamUserId: 'kari' });
  });

  it('finds the cuts that contain a cut by its respondents, whatever the filters say', () => {
    // Kari's accounts a1 (A) and a2 (B); the segment A cut holds a1 and Ola's a3.
    const containing = containingCuts(
      { accountId: 'a1', segment: 'A', kamUserId: 'kari' },
      manager,
      accounts,
    );
    expect(containing).toContainEqual({ cut: {}, more: 2 + 4 + 1 + 2 });
    expect(containing).toContainEqual({ cut: { segment: 'A' }, more: 4 });
    expect(containing).toContainEqual({ cut: { kamUserId: 'kari' }, more: 2 });
    expect(containing.map(({ cut }) => cut)).not.toContainEqual({ kamUserId: 'ola' });
  });
});

describe('cuts nested by their respondents rather than their filters', () => {
  it('suppresses a KAM’s portfolio that a segment contains with one respondent more (k = 3)', () => {
    // Segment S: a1 (KAM K1, 5 respondents) and a2 (KAM K2, 1): S − K1 would be a2's one respondent.
    const accounts = [account('a1', 5, 'S', 'k1'), account('a2', 1, 'S', 'k2'), account('a3', 9, 'T', 'k2')];
    expect(judgeCut({ segment: 'S' }, { k: 3, reader: manager, accounts }).suppressed).toBeNull();
    expect(judgeCut({ kamUserId: 'k1' }, { k: 3, reader: manager, accounts }).suppressed).toEqual({
      k: 3,
      reason: 'difference_below_k',
    });
  });

  it('suppresses a segment group that lies inside a KAM’s portfolio with too few more', () => {
    const accounts = [
      account('a1', 4, 'A', 'kari'),
      account('a2', 2, 'B', 'kari'),
      account('a3', 7, 'B', 'ola'),
    ];
    // Kari's portfolio (6) contains segment A ∧ Kari (4): 2 more, below k = 3.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: kari, accounts }).suppressed).toEqual({
      k: 3,
      reason: 'difference_below_k',
    });
    // For a manager, segment A (4) lies in Kari's portfolio (6) too: the same.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: manager, accounts }).suppressed?.reason).toBe(
      'difference_below_k',
    );
  });
});

describe('judgeCut', () => {
  it('suppresses an account with 2 respondents at k = 3 (fewer_than_k)', () => {
    const accounts = [account('a1', 2, 'A', 'kari'), account('a2', 5, 'A', 'kari')];
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: kari, accounts })).toEqual({
      size: 2,
      suppressed: { k: 3, reason: 'fewer_than_k' },
    });
  });

  it('shows an account once a third respondent answers, when no larger cut differs by fewer than k', () => {
    // An account of 3 in a portfolio of 3 + 3: the portfolio has 3 more, not 1–2.
    const accounts = [account('a1', 3, 'A', 'kari'), account('a2', 3, 'B', 'kari')];
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: kari, accounts }).suppressed).toBeNull();
    expect(judgeCut({}, { k: 3, reader: kari, accounts })).toEqual({ size: 6, suppressed: null });
  });

  it('on a portfolio of 5 with one account of 3 shows the portfolio and hides the account (differencing)', () => {
    const accounts = [account('a1', 3, 'A', 'kari'), account('a2', 2, 'B', 'kari')];
    // The portfolio (a KAM's widest cut) is shown …
    expect(judgeCut({ kamUserId: 'kari' }, { k: 3, reader: kari, accounts })).toEqual({
      size: 5,
      suppressed: null,
    });
    // … so the account of 3, which the portfolio exceeds by 2 < k, is hidden: 5 − 3 would reveal the other 2.
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: kari, accounts })).toEqual({
      size: 3,
      suppressed: { k: 3, reason: 'difference_below_k' },
    });
    expect(judgeCut({ accountId: 'a2' }, { k: 3, reader: kari, accounts }).suppressed?.reason).toBe(
      'fewer_than_k',
    );
  });

  it('holds a KAM to their portfolio: other KAMs’ accounts are no containing cut of theirs', () => {
    // For a manager the segment A cut (3 + 4 = 7) exceeds Kari's A-account by 4 ≥ k … and the organisation
    // by 3 + 2 + 4 − 3 = 6; for Kari, only her portfolio (3 + 2) counts, which exceeds it by 2 < k.
    const accounts = [
      account('a1', 3, 'A', 'kari'),
      account('a2', 2, 'B', 'kari'),
      account('a3', 4, 'A', 'ola'),
    ];
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: manager, accounts }).suppressed?.reason).toBe(
      'difference_below_k', // kamUserId = kari (5) differs by 2
    );
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: kari, accounts }).suppressed?.reason).toBe(
      'difference_below_k',
    );
    // Ola's single account is his whole portfolio: nothing larger within his scope.
    expect(judgeCut({ accountId: 'a3' }, { k: 3, reader: ola, accounts }).suppressed).toBeNull();
    // A manager also sees segment A (3 + 4 = 7), which exceeds a3 by 3: not below k; the organisation
    // (9) by 5; Ola's portfolio equals it. Shown.
    expect(judgeCut({ accountId: 'a3' }, { k: 3, reader: manager, accounts }).suppressed).toBeNull();
  });

  it('judges a KAM’s cut within their portfolio even without the KAM constraint', () => {
    const accounts = [account('a1', 3, 'A', 'kari'), account('a2', 2, 'A', 'ola')];
    // Segment A for Kari is her part of it: 3, the same as her portfolio.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: kari, accounts })).toEqual({
      size: 3,
      suppressed: null,
    });
    // For a manager segment A is 5.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: manager, accounts }).size).toBe(5);
  });

  it('judges filter combinations (segment ∧ KAM) against each constraint alone and the organisation', () => {
    const accounts = [
      account('a1', 4, 'A', 'kari'),
      account('a2', 5, 'A', 'ola'),
      account('a3', 3, 'B', 'kari'),
      account('a4', 10, 'B', 'ola'),
    ];
    // A ∧ Kari = 4; A = 9 (+5), Kari = 7 (+3), organisation = 22: shown.
    expect(
      judgeCut({ segment: 'A', kamUserId: 'kari' }, { k: 3, reader: manager, accounts }).suppressed,
    ).toBeNull();
    // B ∧ Kari = 3; Kari = 7 (+4), B = 13 (+10), organisation = 22: shown.
    expect(
      judgeCut({ segment: 'B', kamUserId: 'kari' }, { k: 3, reader: manager, accounts }).suppressed,
    ).toBeNull();
    // A ∧ Ola = 5; A = 9 (+4), Ola = 15 (+10): shown. B ∧ Ola = 10; B = 13 (+3): shown.
    expect(
      judgeCut({ segment: 'A', kamUserId: 'ola' }, { k: 3, reader: manager, accounts }).suppressed,
    ).toBeNull();
    // At k = 4, B ∧ Ola (10) differs from B (13) by 3 < 4: hidden; A ∧ Kari (4) from Kari (7) by 3: hidden.
    expect(
      judgeCut({ segment: 'B', kamUserId: 'ola' }, { k: 4, reader: manager, accounts }).suppressed,
    ).toEqual({
      k: 4,
      reason: 'difference_below_k',
    });
    expect(
      judgeCut({ segment: 'A', kamUserId: 'kari' }, { k: 4, reader: manager, accounts }).suppressed,
    ).toEqual({
      k: 4,
      reason: 'difference_below_k',
    });
    // For Kari, B ∧ Kari (3) against her portfolio (7) only: +4, shown at k = 3; at k = 5, 3 < 5.
    expect(judgeCut({ segment: 'B' }, { k: 3, reader: kari, accounts }).suppressed).toBeNull();
    expect(judgeCut({ segment: 'B' }, { k: 5, reader: kari, accounts }).suppressed?.reason).toBe(
      'fewer_than_k',
    );
  });

  it('shows an admin the organisation-wide cut even below k, but not a manager', () => {
    const accounts = [account('a1', 1, 'A', 'kari'), account('a2', 1, 'B', 'ola')];
    expect(judgeCut({}, { k: 3, reader: admin, accounts })).toEqual({ size: 2, suppressed: null });
    expect(judgeCut({}, { k: 3, reader: manager, accounts })).toEqual({
      size: 2,
      suppressed: { k: 3, reason: 'fewer_than_k' },
    });
    // The admin's other cuts follow the rule.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: admin, accounts }).suppressed?.reason).toBe(
      'fewer_than_k',
    );
  });

  it('counts the organisation-wide cut as containing for an admin’s other cuts', () => {
    const accounts = [account('a1', 4, 'A', 'kari'), account('a2', 1, 'B', 'ola')];
    // Segment A (4) is 1 short of the organisation (5), which the admin sees: hidden.
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: admin, accounts })).toEqual({
      size: 4,
      suppressed: { k: 3, reason: 'difference_below_k' },
    });
  });

  it('treats customers without an account as part of the organisation only', () => {
    const accounts = [account('a1', 5, 'A', 'kari'), account(null, 1, null, null)];
    expect(judgeCut({ segment: 'A' }, { k: 3, reader: manager, accounts }).suppressed?.reason).toBe(
      'difference_below_k',
    );
    expect(judgeCut({ segment: null }, { k: 3, reader: manager, accounts }).suppressed?.reason).toBe(
      'fewer_than_k',
    );
  });

  it('does not suppress a cut without respondents, nor one the account contradicts', () => {
    const accounts = [account('a1', 0, 'A', 'kari'), account('a2', 2, 'B', 'kari')];
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: kari, accounts })).toEqual({
      size: 0,
      suppressed: null,
    });
    expect(judgeCut({ accountId: 'a2', segment: 'A' }, { k: 3, reader: manager, accounts })).toEqual({
      size: 0,
      suppressed: null,
    });
  });

  it('at k = 1 hides nothing (no difference is below 1)', () => {
    const accounts = [account('a1', 1, 'A', 'kari'), account('a2', 1, 'B', 'kari')];
    expect(judgeCut({ accountId: 'a1' }, { k: 1, reader: kari, accounts }).suppressed).toBeNull();
    expect(judgeCut({}, { k: 1, reader: manager, accounts }).suppressed).toBeNull();
  });

  it('ignores a containing cut with the same respondents (a difference of 0 reveals nobody)', () => {
    const accounts = [account('a1', 3, 'A', 'kari'), account('a2', 0, 'A', 'kari')];
    expect(judgeCut({ accountId: 'a1' }, { k: 3, reader: manager, accounts }).suppressed).toBeNull();
  });
});

describe('suppressionOf', () => {
  it('suppresses nothing in an open wave', () => {
    const accounts = [account('a1', 1, 'A', 'kari')];
    expect(suppressionOf(false, { accountId: 'a1' }, { k: 3, reader: kari, accounts })).toBeNull();
    expect(suppressionOf(true, { accountId: 'a1' }, { k: 3, reader: kari, accounts })).toEqual({
      k: 3,
      reason: 'fewer_than_k',
    });
  });
});
