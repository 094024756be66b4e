/**
 * Schedules on a running gateway: the YAML's, plus those made through the API or by agents (kept in
 * the store, so every gateway on it runs them). Each run is an ordinary accepted message on the
 * target channel whose event id is `schedule:<name>:<slot>`, so a run another gateway takes over
 * after a crash finds the message already accepted and only waits for its delivery: one reply per
 * slot, whoever fires it.
 */
import { randomUUID } from "node:crypto";
import type { Gateway } from "../gateway.ts";
import type { Logger } from "../log.ts";
import type { Sender } from "../envelope.ts";
import { RequestError } from "../errors.ts";
import { awaitDelivery, proactiveEnvelope, resolveTarget } from "../proactive.ts";
import { scheduleSchema, type ScheduleConfig, type ScheduleConfigInput } from "../../config/schedules.ts";
import { formatIssues } from "../../config/issues.ts";
import { Scheduler, type ScheduleFire, type ScheduleStatus } from "./index.ts";

export interface ScheduleView extends ScheduleStatus {
  /** `config`: from switchboard.yaml (read-only here). `store`: made through the API or by an agent. */
  source: "config" | "store";
  agent: string | undefined;
  target: { channel: string; to: string };
  createdBy?: string;
}

interface StoredSchedule {
  input: ScheduleConfigInput;
  createdBy: string;
}

/** A stored schedule as the scheduler takes it; throws when it no longer validates. */
export function parseStoredSchedule(config: string): { def: ScheduleConfig; createdBy: string } {
  const stored = JSON.parse(config) as StoredSchedule;
  return { def: scheduleSchema.parse(stored.input), createdBy: stored.createdBy };
}

export interface ScheduleServiceOptions {
  gateway: Gateway;
  configSchedules: readonly ScheduleConfig[];
  log: Logger;
  /** How often stored schedules are read again (made elsewhere). */
  syncMs?: number;
  /** How long a run's claim outlives a gateway that stopped renewing it (then another takes the run over). */
  leaseMs?: number;
}

export class ScheduleService {
  private readonly options: ScheduleServiceOptions;
  readonly scheduler: Scheduler<ScheduleConfig>;
  private stored = new Map<string, { def: ScheduleConfig; createdBy: string; version: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ScheduleServiceOptions) {
    this.options = options;
    const { gateway } = options;
    this.scheduler = new Scheduler<ScheduleConfig>({
      store: gateway.store,
      schedules: options.configSchedules,
      holder: gateway.instanceId,
      log: options.log.child({ component: "schedules" }),
      fire: (fire) => this.fire(fire),
      ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    });
  }

  async start(): Promise<void> {
    await this.sync();
    this.scheduler.start();
    this.timer = setInterval(() => void this.sync(), this.options.syncMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.scheduler.stop();
  }

  async list(): Promise<ScheduleView[]> {
    const statuses = await this.scheduler.list();
    return statuses.map((status) => this.view(status));
  }

  async get(name: string): Promise<ScheduleView> {
    const found = (await this.list()).find((s) => s.name === name);
    if (!found) throw new RequestError(404, `unknown schedule "${name}"`);
    return found;
  }

  /** The schedule's newest runs, newest first. */
  async runs(name: string, limit = 50) {
    return this.options.gateway.store.listScheduleRuns({ schedule: name, limit });
  }

  /** A schedule kept in the store (the API, an agent's `schedule_message`); the YAML's names are taken. */
  async create(input: unknown, createdBy: string): Promise<ScheduleView> {
    const candidate = { name: `${createdBy.replace(/[^A-Za-z0-9_.-]/g, "-")}-${randomUUID().slice(0, 8)}`, ...(input as object) } as ScheduleConfigInput;
    const parsed = scheduleSchema.safeParse(candidate);
    if (!parsed.success) throw new RequestError(400, `invalid schedule: ${formatIssues(parsed.error.issues, ["schedules", candidate.name ?? "?"]).join("; ")}`);
    const def = parsed.data;
    if (this.options.configSchedules.some((s) => s.name === def.name)) throw new RequestError(409, `schedule "${def.name}" is defined in the config file; edit it there`);
    const { gateway } = this.options;
    if (def.agent !== undefined && !gateway.listAgents().some((a) => a.id === def.agent)) throw new RequestError(400, `unknown agent "${def.agent}"`);
    if (!gateway.getChannel(def.target.channel)) throw new RequestError(400, `unknown channel "${def.target.channel}"`);
    const record: StoredSchedule = { input: candidate, createdBy };
    if ((await gateway.store.putStoredSchedule(def.name, JSON.stringify(record), Date.now(), 0)) === undefined) throw new RequestError(409, `schedule "${def.name}" already exists`);
    gateway.audit.record({ kind: "schedule.created", channel: def.target.channel, actor: createdBy, subject: def.name });
    await this.sync();
    return this.get(def.name);
  }

  async remove(name: string, by: string): Promise<void> {
    if (this.options.configSchedules.some((s) => s.name === name)) throw new RequestError(409, `schedule "${name}" is defined in the config file; edit it there`);
    if (!(await this.options.gateway.store.deleteStoredSchedule(name))) throw new RequestError(404, `unknown schedule "${name}"`);
    this.options.gateway.audit.record({ kind: "schedule.deleted", actor: by, subject: name });
    await this.sync();
  }

  /** Read the stored schedules again and hand the scheduler the whole list. */
  async sync(): Promise<void> {
    const { gateway, log } = this.options;
    let records;
    try {
      records = await gateway.store.listStoredSchedules();
    } catch (error) {
      log.error("could not read the stored schedules", { error });
      return;
    }
    const next = new Map<string, { def: ScheduleConfig; createdBy: string; version: number }>();
    for (const record of records) {
      const known = this.stored.get(record.id);
      if (known?.version === record.version) {
        next.set(record.id, known);
        continue;
      }
      try {
        next.set(record.id, { ...parseStoredSchedule(record.config), version: record.version });
      } catch (error) {
        log.error("a stored schedule does not validate; it does not run", { schedule: record.id, error });
      }
    }
    const changed = next.size !== this.stored.size || [...next].some(([id, s]) => this.stored.get(id)?.version !== s.version);
    this.stored = next;
    const configNames = new Set(this.options.configSchedules.map((s) => s.name));
    if (changed) this.scheduler.setSchedules([...this.options.configSchedules, ...[...next.values()].filter((s) => !configNames.has(s.def.name)).map((s) => s.def)]);
  }

  private view(status: ScheduleStatus): ScheduleView {
    const fromConfig = this.options.configSchedules.find((s) => s.name === status.name);
    const stored = this.stored.get(status.name);
    const def = fromConfig ?? stored!.def;
    return { ...status, source: fromConfig ? "config" : "store", agent: def.agent, target: def.target, ...(stored && !fromConfig ? { createdBy: stored.createdBy } : {}) };
  }

  /** One run: its message on the target channel, then wait for the reply to be delivered. */
  private async fire({ schedule, run, signal, finished }: ScheduleFire<ScheduleConfig>): Promise<{ sessionId: string }> {
    const { gateway } = this.options;
    const { channel, address } = await resolveTarget(gateway, schedule.target.channel, schedule.target.to);
    const eventId = `schedule:${schedule.name}:${run.slot}`;
    const envelope =
      schedule.text !== undefined
        ? // A fixed text joins the conversation it goes to, like any message sent first.
          proactiveEnvelope(channel, address, { eventId, text: schedule.text, sender: { id: address.user ?? `schedule:${schedule.name}`, name: `schedule ${schedule.name}`, origin: "send" } })
        : proactiveEnvelope(channel, address, { eventId, text: schedule.instruction!, sender: await this.runSender(schedule), agent: schedule.agent!, session: this.sessionOf(schedule) });
    const result = await gateway.accept(envelope);
    if (result.status === "rejected") throw new Error(`the run's message was refused: ${result.reason}`);
    const sessionId = await awaitDelivery(gateway, channel.id, eventId, { signal, finished: (id) => finished(id) });
    return { sessionId };
  }

  /** `isolated`: the schedule's own session. Otherwise the session id it continues. */
  private sessionOf(schedule: ScheduleConfig): string {
    return schedule.session === "isolated" ? `schedule-${schedule.name}` : schedule.session;
  }

  /** Runs speak as the schedule, or in a session it continues, as that session's owner (only the owner may add to a session). */
  private async runSender(schedule: ScheduleConfig): Promise<Sender> {
    const name = `schedule ${schedule.name}`;
    if (schedule.session === "isolated") return { id: `schedule:${schedule.name}`, name, origin: "schedule" };
    const session = await this.options.gateway.store.getSession(schedule.session);
    return { id: session?.userId ?? `schedule:${schedule.name}`, name, origin: "schedule" };
  }
}
