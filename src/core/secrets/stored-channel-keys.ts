/**
 * What a channel consults to authenticate callers with its generated keys. The keys live in the
 * channel's store state, so a rotation made by the CLI reaches a running gateway (every
 * instance of it) within `ttlMs`, without a restart. Reads go through a short cache, and a
 * state that did not change is not decrypted again. When stored keys exist but cannot be
 * decrypted (no master key, a wrong one, damage), the answer is "unavailable" and callers are
 * refused: the channel never falls back to open.
 */
import type { Logger } from "../log.ts";
import { secretsEqual } from "../http-io.ts";
import { CHANNEL_KEYS_STATE, decryptChannelKeys, parseChannelKeyRecord } from "./channel-keys.ts";
import { MISSING_MASTER_KEY, resolveKeyring } from "./master-key.ts";
import { Vault } from "./vault.ts";

export type StoredKeyStatus =
  | { kind: "none" }
  | { kind: "keys"; keys: Array<{ key: string; expiresAt: number | undefined }> }
  | { kind: "unavailable"; reason: string };

export interface ChannelStateReader {
  get(key: string): Promise<string | undefined>;
}

export interface StoredChannelKeysOptions {
  channelId: string;
  /** The vault; by default one from SWITCHBOARD_MASTER_KEY (or _FILE), looked up when stored keys are first seen. */
  vault?: Vault | undefined;
  /** How long a read of the state is trusted: the longest a rotation takes to reach this gateway. */
  ttlMs?: number;
  now?: () => number;
}

export const STORED_KEYS_TTL_MS = 1_000;

export class StoredChannelKeys {
  private readonly options: StoredChannelKeysOptions;
  private vault: Vault | undefined;
  private state: ChannelStateReader | undefined;
  private log: Logger | undefined;
  private raw: string | undefined;
  private status: StoredKeyStatus | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(options: StoredChannelKeysOptions) {
    this.options = options;
    this.vault = options.vault;
  }

  /** Called from the channel's start: where the state lives and where problems are logged. */
  async attach(state: ChannelStateReader, log: Logger): Promise<void> {
    this.state = state;
    this.log = log;
    this.readAt = Number.NEGATIVE_INFINITY;
    await this.refresh();
  }

  detach(): void {
    this.state = undefined;
  }

  /** Re-read the state once the cached read is older than the TTL; concurrent callers share one read. */
  async refresh(): Promise<void> {
    if (this.now() - this.readAt < (this.options.ttlMs ?? STORED_KEYS_TTL_MS)) return;
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    await this.pending;
  }

  /** The last known status, as of the last refresh; "none" before the channel started. */
  current(): StoredKeyStatus {
    return this.status ?? { kind: "none" };
  }

  /** Whether `given` is one of the valid stored keys right now (false when they cannot be read). */
  matches(given: string): boolean {
    const status = this.current();
    if (status.kind !== "keys") return false;
    const now = this.now();
    // Every key is compared, so the time taken does not tell which one was close.
    let found = false;
    for (const { key, expiresAt } of status.keys) if ((expiresAt === undefined || expiresAt > now) && secretsEqual(given, key)) found = true;
    return found;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async read(): Promise<void> {
    const state = this.state;
    if (!state) return;
    const { channelId } = this.options;
    let raw: string | undefined;
    try {
      raw = await state.get(CHANNEL_KEYS_STATE);
    } catch (error) {
      // Unknown is not "none": until the store answers, stored keys are assumed and callers refused.
      this.setStatus(undefined, { kind: "unavailable", reason: "the store could not be read" }, error);
      return;
    } finally {
      this.readAt = this.now();
    }
    if (raw === this.raw && this.status !== undefined && this.status.kind !== "unavailable") return;
    if (raw === undefined) return this.setStatus(raw, { kind: "none" });
    try {
      const record = parseChannelKeyRecord(raw, channelId);
      if (record.keys.length === 0) return this.setStatus(raw, { kind: "none" });
      const vault = this.resolveVault();
      this.setStatus(raw, { kind: "keys", keys: decryptChannelKeys(record, vault, channelId, Number.NEGATIVE_INFINITY) });
    } catch (error) {
      this.setStatus(raw, { kind: "unavailable", reason: (error as Error).message }, error);
    }
  }

  private resolveVault(): Vault {
    if (this.vault) return this.vault;
    const keyring = resolveKeyring();
    if (!keyring) throw new Error(MISSING_MASTER_KEY);
    this.vault = new Vault(keyring);
    return this.vault;
  }

  private setStatus(raw: string | undefined, status: StoredKeyStatus, error?: unknown): void {
    const was = this.status?.kind;
    this.raw = raw;
    this.status = status;
    if (status.kind === "unavailable" && was !== "unavailable") {
      this.log?.error("the stored keys of this channel cannot be read; callers with a channel key are refused until this is fixed", {
        channel: this.options.channelId,
        reason: status.reason,
        ...(error !== undefined && !(error instanceof Error && error.message === status.reason) ? { error } : {}),
      });
    }
    if (status.kind === "keys" && was === "unavailable") this.log?.info("the stored keys of this channel are readable again", { channel: this.options.channelId });
  }
}
