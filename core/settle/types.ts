/** Settle's state as the store keeps it and the API answers it (core/settle/advance.ts). */
import type { Outcome } from '../verdict/evaluate';

export const SETTLE_STATUSES = ['running', 'decided', 'exhausted', 'stopped'] as const;
export type SettleStatus = (typeof SETTLE_STATUSES)[number];

/** Rounds per settle: with rounds that at most double the repeats, 8 rounds reach 2⁸ times the start. */
export const MAX_SETTLE_ROUNDS = 8;

/**
 * Trials one round may add: stored in one batch of 13-column rows (154 statements), so a
 * round, the verdict it follows and the pack that triggered it stay far within D1's 1,000
 * queries per invocation.
 */
export const MAX_ROUND_TRIALS = 2000;

export interface SettleBudget {
  trials: number;
  /** Estimated CPU ms (the pack-time model); null: trials only. */
  cpuMs: number | null;
}

/** One claim's state at a round. */
export interface SettleClaimState {
  statement: string;
  result: Outcome;
  p: number | null;
  ci: [number, number] | null;
  repeats: number;
  repeatsToSettle: number | null;
}

/** One look: the verdict under the anytime-valid rule, then what was added because of it. */
export interface SettleRound {
  round: number;
  at: number;
  trials: { done: number; total: number };
  claims: SettleClaimState[];
  added: { trials: number; cpuMs: number; cells: number };
}

export interface SettleState {
  sweepId: string;
  status: SettleStatus;
  round: number;
  budget: SettleBudget;
  spent: { trials: number; cpuMs: number };
  reason: string | null;
  history: SettleRound[];
  startedAt: number;
  updatedAt: number;
}
