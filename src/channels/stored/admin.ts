/**
 * Managing channels outside the YAML: what the `/v1/channels` API and `switchboard channels`
 * share. Channels from the YAML are listed read-only (the YAML stays their source); stored ones
 * can be created, edited (compare-and-set on their version), enabled, disabled and deleted.
 * Secrets go into the store sealed and come out as `••••`; every change is audited.
 */
import type { Store } from "../../store/store.ts";
import type { ChannelConfig } from "../../config/schema.ts";
import { RequestError } from "../../core/errors.ts";
import type { Vault } from "../../core/secrets/vault.ts";
import { MISSING_MASTER_KEY } from "../../core/secrets/master-key.ts";
import { SecretError } from "../../core/secrets/errors.ts";
import { storeChannelKey } from "../../core/secrets/store-channel-key.ts";
import { CHANNEL_KEYS_STATE, type IssuedKey } from "../../core/secrets/channel-keys.ts";
import { maskedStoredTree, maskSecrets, openChannelConfig, openChannelTree, sealChannelConfig, validChannelId } from "./codec.ts";
import type { StoredChannelStatus } from "./sync.ts";

export interface ChannelView {
  id: string;
  type: string;
  /** `config`: defined in the YAML, read-only here. `store`: created through the API or CLI. */
  source: "config" | "store";
  enabled: boolean;
  /** The config with every secret as `••••`. */
  config: Record<string, unknown>;
  /** Stored channels: the version an edit must name to replace it. */
  version?: number;
  updatedAt?: number;
  /** What the running gateway made of it; absent where no gateway runs (the CLI). */
  status?: StoredChannelStatus;
  readOnly?: string;
}

export interface ChannelAdminOptions {
  store: Store;
  vault: Vault | undefined;
  /** The YAML's channels, parsed (with `${ENV}` filled in: they are masked before they are shown). */
  configChannels: Record<string, ChannelConfig>;
  /** Who makes the changes, for the audit log (`admin:api`, `admin:cli`). */
  actor: string;
  /** Called after every change (the gateway applies it at once instead of at its next look). */
  changed?: () => Promise<void>;
  status?: (id: string) => StoredChannelStatus | undefined;
  now?: () => number;
}

const READ_ONLY = "defined in the config file; edit it there (the config file stays the source of what it defines)";

export class ChannelAdmin {
  private readonly options: ChannelAdminOptions;

  constructor(options: ChannelAdminOptions) {
    this.options = options;
  }

  async list(): Promise<ChannelView[]> {
    const { configChannels, store } = this.options;
    const views = Object.entries(configChannels).map(([id, config]) => this.configView(id, config));
    for (const record of await store.listStoredChannels()) {
      if (!(record.id in configChannels)) views.push(this.storedView(record.id, record.config, record.version, record.updatedAt));
    }
    return views;
  }

  async get(id: string): Promise<ChannelView> {
    const config = this.options.configChannels[id];
    if (config) return this.configView(id, config);
    const record = await this.options.store.getStoredChannel(id);
    if (!record) throw new RequestError(404, `no channel "${id}"`);
    return this.storedView(id, record.config, record.version, record.updatedAt);
  }

  /** Create a stored channel. An http channel without a key of its own gets one, in `key` of the answer only. */
  async create(id: string, input: unknown): Promise<ChannelView & { key?: string }> {
    validChannelId(id);
    this.refuseConfigChannel(id);
    const { config, sealed } = sealChannelConfig(id, input, this.vault());
    if (await this.options.store.getStoredChannel(id)) throw new RequestError(409, `channel "${id}" already exists; edit it instead`);
    // A key left by an earlier channel of this id must not open the new one.
    await this.dropKeys(id);
    const version = await this.options.store.putStoredChannel(id, sealed, this.now(), 0);
    if (version === undefined) throw new RequestError(409, `channel "${id}" already exists; edit it instead`);
    const key = config.type === "http" && config.key === undefined && config.auth !== "none" ? (await this.issueKey(id)).key : undefined;
    await this.recorded("channel.created", id, config.type);
    return { ...(await this.get(id)), ...(key ? { key } : {}) };
  }

  /** Replace a stored channel's config; secrets sent as `••••` keep their value. */
  async update(id: string, input: unknown, expectedVersion?: number): Promise<ChannelView> {
    this.refuseConfigChannel(id);
    const record = await this.options.store.getStoredChannel(id);
    if (!record) throw new RequestError(404, `no channel "${id}"`);
    if (expectedVersion !== undefined && expectedVersion !== record.version) throw this.conflict(id, record.version);
    const vault = this.vault();
    const previous = openChannelTree(id, record.config, vault);
    const { config, sealed } = sealChannelConfig(id, input, vault, previous);
    if (config.type !== previous["type"]) throw new RequestError(400, `channel "${id}" is a ${String(previous["type"])} channel; its type cannot change (delete it and create another)`);
    const version = await this.options.store.putStoredChannel(id, sealed, this.now(), record.version);
    if (version === undefined) throw this.conflict(id, (await this.options.store.getStoredChannel(id))?.version);
    await this.recorded("channel.updated", id, config.type);
    return this.get(id);
  }

  async setEnabled(id: string, enabled: boolean): Promise<ChannelView> {
    this.refuseConfigChannel(id);
    const record = await this.options.store.getStoredChannel(id);
    if (!record) throw new RequestError(404, `no channel "${id}"`);
    const tree = openChannelTree(id, record.config, this.vault());
    return this.update(id, { ...tree, enabled }, record.version);
  }

  async remove(id: string): Promise<void> {
    this.refuseConfigChannel(id);
    if (!(await this.options.store.deleteStoredChannel(id))) throw new RequestError(404, `no channel "${id}"`);
    await this.dropKeys(id);
    await this.recorded("channel.deleted", id);
  }

  private async dropKeys(id: string): Promise<void> {
    await this.options.store.setChannelState(id, CHANNEL_KEYS_STATE, JSON.stringify({ v: 1, keys: [] }));
  }

  /** The config of a channel, stored or from the YAML, for key operations and the like. */
  async configOf(id: string): Promise<ChannelConfig | undefined> {
    const config = this.options.configChannels[id];
    if (config) return config;
    const record = await this.options.store.getStoredChannel(id);
    if (!record) return undefined;
    return openChannelConfig(id, record.config, this.options.vault);
  }

  /** A new (or, with `rotate`, a replacing) key for an http or webhook channel, in clear this once. */
  async issueKey(id: string, options: { rotate?: boolean; graceMs?: number } = {}): Promise<IssuedKey> {
    const config = await this.configOf(id);
    if (!config) throw new RequestError(404, `no channel "${id}"`);
    if (config.type !== "http" && config.type !== "webhook") {
      throw new RequestError(400, `channel "${id}" is a ${config.type} channel; generated keys authenticate http and webhook channels (other platforms sign their own requests)`);
    }
    if (config.type === "http" && config.auth === "none") throw new RequestError(409, `channel "${id}" is open (auth: none); remove that first, then make a key`);
    try {
      return await storeChannelKey({ store: this.options.store, vault: this.vault(), channelId: id, actor: this.options.actor, rotate: options.rotate, graceMs: options.graceMs, now: this.now() });
    } catch (error) {
      if (error instanceof SecretError) throw new RequestError(409, error.message);
      throw error;
    }
  }

  private configView(id: string, config: ChannelConfig): ChannelView {
    return { id, type: config.type, source: "config", enabled: config.enabled !== false, config: maskSecrets(config), readOnly: READ_ONLY };
  }

  private storedView(id: string, stored: string, version: number, updatedAt: number): ChannelView {
    const config = maskedStoredTree(stored);
    const status = this.options.status?.(id);
    return { id, type: String(config["type"]), source: "store", enabled: config["enabled"] !== false, config, version, updatedAt, ...(status ? { status } : {}) };
  }

  private refuseConfigChannel(id: string): void {
    if (id in this.options.configChannels) throw new RequestError(409, `channel "${id}" is ${READ_ONLY}`);
  }

  private conflict(id: string, version: number | undefined): RequestError {
    return new RequestError(409, `channel "${id}" was changed meanwhile (now version ${version ?? "deleted"}); load it again and redo the edit`);
  }

  private vault(): Vault {
    if (!this.options.vault) throw new RequestError(503, `cannot keep channel credentials: ${MISSING_MASTER_KEY}`);
    return this.options.vault;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async recorded(kind: string, channel: string, type?: string): Promise<void> {
    await this.options.store.appendAudit([{ at: this.now(), kind, channel, actor: this.options.actor, ...(type ? { reason: `${type} channel` } : {}) }]);
    await this.options.changed?.();
  }
}
