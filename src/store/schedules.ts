/**
 * What the Store keeps for schedules (src/core/schedules/): one record per run, keyed by
 * (schedule, slot) so that a slot is claimed once across every gateway and restart, and a small
 * state per schedule (paused, consecutive failures, how far its slots have been dealt with).
 */

/**
 * - `queued`: asked for (run-now) and not yet claimed by a gateway;
 * - `started`: claimed, its turn running; `finished`: the turn is done, its reply being delivered;
 * - `delivered`, `failed`: over; `skipped`: never ran (see `reason`).
 */
export type ScheduleRunStatus = "queued" | "started" | "finished" | "delivered" | "failed" | "skipped";

/** Runs that are not over yet. */
export const OPEN_RUN_STATUSES: readonly ScheduleRunStatus[] = ["queued", "started", "finished"];

/**
 * Why a slot was skipped: `overlap` (the schedule's previous run was still going), `missed` (its
 * time passed while no gateway ran, and the schedule's policy is `skip`).
 */
export type ScheduleSkipReason = "overlap" | "missed";

export interface ScheduleRun {
  schedule: string;
  /**
   * The slot's id, unique within its schedule: its time as an ISO string (`2026-03-29T07:00:00.000Z`),
   * `manual:<uuid>` for a run-now, `<at>#retry<n>` for a one-shot's retry.
   */
  slot: string;
  /** When the slot was due; a run-now's is when it was asked for. */
  slotAt: number;
  status: ScheduleRunStatus;
  /** The gateway that claimed it last. */
  holder: string | undefined;
  /** While started or finished: the holder's claim ends then, unless renewed; after it another gateway may take the run over. */
  claimedUntil: number;
  /** How many times a gateway claimed it: more than 1 after a takeover from a gateway that died. */
  attempts: number;
  startedAt: number | undefined;
  /** When the turn ended (finished, delivered or failed). */
  finishedAt: number | undefined;
  deliveredAt: number | undefined;
  /** The session the turn ran in, once known. */
  sessionId: string | undefined;
  reason: ScheduleSkipReason | undefined;
  /** Skipped as missed: how many slots passed unrun, this one included. */
  missed: number | undefined;
  /** Failed: why. Never a secret (scrubbed before it is stored). */
  error: string | undefined;
}

export interface ScheduleState {
  /** Paused schedules fire no slot until resumed (a run-now still runs). */
  paused: boolean;
  /** Every slot at or before this time has been dealt with (claimed, skipped, or passed while paused). */
  cursor: number;
  /** Consecutive failed scheduled runs; 0 after one is delivered. Run-now results do not count. */
  failures: number;
  /** When the last of those failures happened. */
  lastFailureAt: number | undefined;
}

export interface ScheduleClaim {
  schedule: string;
  slot: string;
  slotAt: number;
  holder: string;
  now: number;
  /** The claim lasts until now + leaseMs unless renewed. */
  leaseMs: number;
  /** A regular slot: move the schedule's cursor up to `slotAt` (whether or not this claim wins). */
  advanceCursor: boolean;
  /** Record the slot as skipped instead of running it (only if nobody has claimed it yet). */
  skip?: { reason: ScheduleSkipReason; missed?: number };
}

/**
 * - `claimed`: this gateway runs it (a new slot, a queued run-now, or a takeover of a run whose
 *   holder stopped renewing);
 * - `skipped`: recorded as asked (`claim.skip`), or because another run of the schedule was
 *   still going (`run.reason` is `overlap`);
 * - `taken`: somebody else has it, or it is over.
 */
export type ScheduleClaimOutcome = { status: "claimed" | "skipped"; run: ScheduleRun } | { status: "taken" };

/** The end of a step of a claimed run. Only its holder may record it. */
export interface ScheduleRunUpdate {
  schedule: string;
  slot: string;
  holder: string;
  status: "finished" | "delivered" | "failed";
  now: number;
  sessionId?: string;
  error?: string;
  /** A scheduled run (not a run-now): delivered resets the schedule's failures, failed adds one. */
  countsForBackoff: boolean;
}

export interface ScheduleRunQuery {
  /** One schedule, or all. */
  schedule?: string;
  /** Only runs that are not over (queued, started, finished). */
  open?: boolean;
  /** Newest slot first; 50 unless set. */
  limit?: number;
}

/** Schedule records, as the Store contract offers them (store.ts extends this). */
export interface ScheduleStore {
  /**
   * Claim a slot, atomically: exactly one caller across gateways and restarts gets `claimed` for
   * a (schedule, slot). A new slot is recorded `skipped` (overlap) while another run of the
   * schedule is started or finished under a live claim.
   */
  claimScheduleRun(claim: ScheduleClaim): Promise<ScheduleClaimOutcome>;
  /** Extend the holder's claim; false if it was taken over or is over (the holder must stop). */
  renewScheduleRun(schedule: string, slot: string, holder: string, until: number): Promise<boolean>;
  /** Record a step of the holder's run; false (and nothing changes) if another gateway holds it now. */
  updateScheduleRun(update: ScheduleRunUpdate): Promise<boolean>;
  /** Ask for a run now: a `queued` run under `slot` that the next gateway to look claims. False if the slot exists. */
  queueScheduleRun(schedule: string, slot: string, now: number): Promise<boolean>;
  listScheduleRuns(query?: ScheduleRunQuery): Promise<ScheduleRun[]>;
  /** Delete runs that are over and whose slot is older than `before`; returns how many went. */
  pruneScheduleRuns(before: number): Promise<number>;

  getScheduleState(schedule: string): Promise<ScheduleState | undefined>;
  /** Create the state if there is none (cursor as given, not paused); returns the stored state either way. */
  initScheduleState(schedule: string, cursor: number): Promise<ScheduleState>;
  /**
   * Pause or resume (creating the state if needed). Resuming moves the cursor up to `now`, so
   * the slots that passed while paused are neither run nor counted as missed.
   */
  setSchedulePaused(schedule: string, paused: boolean, now: number): Promise<ScheduleState>;
}
