/**
 * Keeps the running gateway in step with the channels kept in the store: a channel created,
 * edited, disabled or deleted through the API or CLI (on this gateway or another one on the same
 * store) starts, restarts or stops within `intervalMs`, without a restart. A stored channel whose
 * credentials cannot be decrypted does not run, and says why in its status.
 */
import type { Channel } from "../../core/channel.ts";
import type { ChannelSetup, Gateway } from "../../core/gateway.ts";
import type { Logger } from "../../core/log.ts";
import type { ChannelConfig } from "../../config/schema.ts";
import type { Store } from "../../store/store.ts";
import type { Vault } from "../../core/secrets/vault.ts";
import { openChannelConfig } from "./codec.ts";

export type StoredChannelStatus = { state: "running" | "disabled" } | { state: "error"; error: string };

export interface StoredChannelSyncOptions {
  store: Store;
  gateway: Gateway;
  vault: Vault | undefined;
  log: Logger;
  /** Ids the YAML defines: the YAML wins, a stored channel of the same id is ignored. */
  configIds: ReadonlySet<string>;
  /** Builds the channel and what the gateway needs besides (access policy, agent settings). */
  build: (id: string, config: ChannelConfig) => { channel: Channel; setup: ChannelSetup };
  intervalMs?: number;
}

export class StoredChannelSync {
  private readonly options: StoredChannelSyncOptions;
  /** The version each stored channel was last applied at, and how that went. */
  private readonly applied = new Map<string, { version: number; status: StoredChannelStatus }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(options: StoredChannelSyncOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.options.intervalMs ?? 2_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  status(id: string): StoredChannelStatus | undefined {
    return this.applied.get(id)?.status;
  }

  /** Apply what the store holds now; a call during a pass runs one more pass after it. */
  async sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { store, gateway, log, configIds } = this.options;
    let stored;
    try {
      stored = await store.listStoredChannels();
      log.debug("stored channels pass", { ids: stored.map((c) => `${c.id}@${c.version}`).join(",") });
    } catch (error) {
      log.error("could not read the stored channels", { error });
      return;
    }
    const seen = new Set<string>();
    for (const record of stored) {
      if (configIds.has(record.id)) continue;
      seen.add(record.id);
      if (this.applied.get(record.id)?.version === record.version) continue;
      await gateway.removeChannel(record.id);
      this.applied.set(record.id, { version: record.version, status: this.apply(record.id, record.config) });
    }
    for (const id of [...this.applied.keys()]) {
      if (seen.has(id)) continue;
      await gateway.removeChannel(id);
      this.applied.delete(id);
      log.info("stored channel removed", { channel: id });
    }
  }

  private apply(id: string, stored: string): StoredChannelStatus {
    const { gateway, log } = this.options;
    let config: ChannelConfig;
    try {
      config = openChannelConfig(id, stored, this.options.vault);
    } catch (error) {
      log.error("stored channel not started: its config cannot be read", { channel: id, reason: (error as Error).message });
      return { state: "error", error: (error as Error).message };
    }
    if (config.enabled === false) return { state: "disabled" };
    try {
      const { channel, setup } = this.options.build(id, config);
      gateway.addChannel(channel, setup);
    } catch (error) {
      log.error("stored channel not started", { channel: id, reason: (error as Error).message });
      return { state: "error", error: (error as Error).message };
    }
    log.info("stored channel started", { channel: id, type: config.type });
    return { state: "running" };
  }
}
