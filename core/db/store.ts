/**
 * Everything the API and the trial workers read or write: one object that plays every
 * role of the storage contract (core/db/roles.ts), as the hosts build it over D1
 * (workers/db.ts) or better-sqlite3 (node/sqlite-store.ts). Each role has its own drizzle
 * implementation, all over the same database, batch and lease length:
 *
 * - SweepCatalogue: core/db/catalogue.ts
 * - SpecRegistry: core/db/specs.ts
 * - TrialLeases and LeaseRepair, the at-least-once lease protocol: core/db/leases.ts
 * - ResultQueries: core/db/results.ts
 * - SettleStore: core/db/settle-store.ts
 *
 * Code that needs only some roles takes those (e.g. core/run/run-trials.ts a TrialLeases);
 * the routes take the whole Store from the host (api/context.ts).
 */
import type { LeaseRepair, ResultQueries, SettleStore, SpecRegistry, SweepCatalogue, TrialLeases } from './roles';
import { SqlSweepCatalogue } from './catalogue';
import { DEFAULT_LEASE_MS, SqlTrialLeases } from './leases';
import { SqlResultQueries } from './results';
import { SqlSettleStore } from './settle-store';
import { SqlSpecRegistry } from './specs';
import type { AnyDb, BatchRunner } from './sql-role';

export type { Lease, StoredExperiment, SweepCounts, SweepCursor, SweepStatus, SweepSummary, TrialCursor, TrialRecord } from './roles';
export type { LeaseRepair, ResultQueries, SettleStore, SpecRegistry, SweepCatalogue, TrialLeases } from './roles';
export { formatCursor, parseCursor, RESEND_SWEEPS, type AnyDb, type BatchRunner } from './sql-role';
export { statusOf } from './catalogue';
export { DEFAULT_LEASE_MS, metricRowBytes, unstorableIn } from './leases';
export { parseTrialCursor, TRIAL_PAGE } from './results';

export class Store implements SweepCatalogue, SpecRegistry, TrialLeases, LeaseRepair, ResultQueries, SettleStore {
  private readonly catalogue: SqlSweepCatalogue;
  private readonly specs: SqlSpecRegistry;
  private readonly leases: SqlTrialLeases;
  private readonly results: SqlResultQueries;
  private readonly settles: SqlSettleStore;

  constructor(
    /** The database the roles share, behind the host's limit guards (tests read it directly). */
    readonly db: AnyDb,
    batch: BatchRunner,
    /** A running trial whose lease is older than this is stale (its consumer died). */
    readonly leaseMs = DEFAULT_LEASE_MS,
  ) {
    this.catalogue = new SqlSweepCatalogue(db, batch, leaseMs);
    this.specs = new SqlSpecRegistry(db, batch, leaseMs);
    this.leases = new SqlTrialLeases(db, batch, leaseMs);
    this.results = new SqlResultQueries(db, batch, leaseMs);
    this.settles = new SqlSettleStore(db, batch, leaseMs);
  }

  /** How often a running pack renews its leases (core/run/run-trials.ts). */
  get heartbeatMs(): number {
    return this.leases.heartbeatMs;
  }

  // SweepCatalogue (core/db/catalogue.ts)
  createSweep(...a: Parameters<SweepCatalogue['createSweep']>) { return this.catalogue.createSweep(...a); }
  getSweep(...a: Parameters<SweepCatalogue['getSweep']>) { return this.catalogue.getSweep(...a); }
  listSweeps(...a: Parameters<SweepCatalogue['listSweeps']>) { return this.catalogue.listSweeps(...a); }
  allSweeps(...a: Parameters<SweepCatalogue['allSweeps']>) { return this.catalogue.allSweeps(...a); }
  cancelSweep(...a: Parameters<SweepCatalogue['cancelSweep']>) { return this.catalogue.cancelSweep(...a); }
  deleteSweep(...a: Parameters<SweepCatalogue['deleteSweep']>) { return this.catalogue.deleteSweep(...a); }
  requeueUnfinished(...a: Parameters<SweepCatalogue['requeueUnfinished']>) { return this.catalogue.requeueUnfinished(...a); }

  // SpecRegistry (core/db/specs.ts)
  putExperimentSpec(...a: Parameters<SpecRegistry['putExperimentSpec']>) { return this.specs.putExperimentSpec(...a); }
  getExperimentSpec(...a: Parameters<SpecRegistry['getExperimentSpec']>) { return this.specs.getExperimentSpec(...a); }
  listExperimentSpecs(...a: Parameters<SpecRegistry['listExperimentSpecs']>) { return this.specs.listExperimentSpecs(...a); }
  countExperimentSpecs() { return this.specs.countExperimentSpecs(); }
  deleteExperimentSpec(...a: Parameters<SpecRegistry['deleteExperimentSpec']>) { return this.specs.deleteExperimentSpec(...a); }

  // TrialLeases and LeaseRepair (core/db/leases.ts)
  takeLeases(...a: Parameters<TrialLeases['takeLeases']>) { return this.leases.takeLeases(...a); }
  leaseTrials(...a: Parameters<TrialLeases['leaseTrials']>) { return this.leases.leaseTrials(...a); }
  renewLeases(...a: Parameters<TrialLeases['renewLeases']>) { return this.leases.renewLeases(...a); }
  releaseLeases(...a: Parameters<TrialLeases['releaseLeases']>) { return this.leases.releaseLeases(...a); }
  saveResults(...a: Parameters<TrialLeases['saveResults']>) { return this.leases.saveResults(...a); }
  markTrials(...a: Parameters<TrialLeases['markTrials']>) { return this.leases.markTrials(...a); }
  giveUp(...a: Parameters<TrialLeases['giveUp']>) { return this.leases.giveUp(...a); }
  attemptsOf(...a: Parameters<TrialLeases['attemptsOf']>) { return this.leases.attemptsOf(...a); }
  requeueStale(...a: Parameters<LeaseRepair['requeueStale']>) { return this.leases.requeueStale(...a); }
  resendStalled(...a: Parameters<LeaseRepair['resendStalled']>) { return this.leases.resendStalled(...a); }

  // ResultQueries (core/db/results.ts)
  configs(...a: Parameters<ResultQueries['configs']>) { return this.results.configs(...a); }
  cells(...a: Parameters<ResultQueries['cells']>) { return this.results.cells(...a); }
  aggregate(...a: Parameters<ResultQueries['aggregate']>) { return this.results.aggregate(...a); }
  trialResults(...a: Parameters<ResultQueries['trialResults']>) { return this.results.trialResults(...a); }
  trialResultsPage(...a: Parameters<ResultQueries['trialResultsPage']>) { return this.results.trialResultsPage(...a); }
  storedAnswer(...a: Parameters<ResultQueries['storedAnswer']>) { return this.results.storedAnswer(...a); }
  storeAnswer(...a: Parameters<ResultQueries['storeAnswer']>) { return this.results.storeAnswer(...a); }

  // SettleStore (core/db/settle-store.ts)
  getSettle(...a: Parameters<SettleStore['getSettle']>) { return this.settles.getSettle(...a); }
  startSettle(...a: Parameters<SettleStore['startSettle']>) { return this.settles.startSettle(...a); }
  claimSettleRound(...a: Parameters<SettleStore['claimSettleRound']>) { return this.settles.claimSettleRound(...a); }
  endSettle(...a: Parameters<SettleStore['endSettle']>) { return this.settles.endSettle(...a); }
  addSettleRound(...a: Parameters<SettleStore['addSettleRound']>) { return this.settles.addSettleRound(...a); }
  runningSettles(...a: Parameters<SettleStore['runningSettles']>) { return this.settles.runningSettles(...a); }
}
