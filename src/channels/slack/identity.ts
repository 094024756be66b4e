/**
 * Who sent a message: `users.info` gives the display name the agent sees and the email that
 * per-user settings match on. Profiles are cached (TTL and size cap) and concurrent lookups of
 * one user share a call. A lookup that fails or is slow yields no profile rather than delaying
 * the accept: identity is a nicety, acknowledging Slack in time is not.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/log.ts";

export interface SlackProfile {
  name?: string;
  email?: string;
  isBot?: boolean;
}

export interface SlackDirectoryOptions {
  /** How long a profile is trusted; 1 hour by default. */
  ttlMs?: number;
  /** How long a failed lookup is not retried; 1 minute by default. */
  failureTtlMs?: number;
  /** Most profiles kept; the least recently used go first. 5,000 by default. */
  maxEntries?: number;
  /** Longest a lookup may hold up an accept; 1.5 s by default. */
  timeoutMs?: number;
  now?: () => number;
}

interface Entry {
  profile: SlackProfile;
  expires: number;
}

interface UsersInfoResult {
  user?: {
    name?: string;
    real_name?: string;
    is_bot?: boolean;
    profile?: { display_name?: string; real_name?: string; email?: string };
  };
}

export class SlackDirectory {
  private readonly client: WebClient;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<SlackProfile>>();

  constructor(client: WebClient, log: Logger, options: SlackDirectoryOptions = {}) {
    this.client = client;
    this.log = log;
    this.ttlMs = options.ttlMs ?? 3_600_000;
    this.failureTtlMs = options.failureTtlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 1_500;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.cache.size;
  }

  /** The user's profile, or `{}` when Slack could not say in time. Never throws. */
  async lookup(userId: string): Promise<SlackProfile> {
    const cached = this.cache.get(userId);
    if (cached && cached.expires > this.now()) {
      // Re-insert so the map's order is least recently used first.
      this.cache.delete(userId);
      this.cache.set(userId, cached);
      return cached.profile;
    }
    let pending = this.inFlight.get(userId);
    if (!pending) {
      pending = this.fetch(userId).finally(() => this.inFlight.delete(userId));
      this.inFlight.set(userId, pending);
    }
    return pending;
  }

  private async fetch(userId: string): Promise<SlackProfile> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.timeoutMs);
    });
    try {
      const result = await Promise.race([this.client.users.info({ user: userId }) as Promise<UsersInfoResult>, timeout]);
      if (result === "timeout") {
        // Not cached: the call may still be slow only this once.
        this.log.warn("Slack users.info was slow; accepting the message without the sender's profile", { user: userId, timeoutMs: this.timeoutMs });
        return {};
      }
      const profile = toProfile(result);
      this.remember(userId, profile, this.ttlMs);
      return profile;
    } catch (error) {
      this.log.warn("Slack users.info failed; accepting the message without the sender's profile", { user: userId, error: describe(error) });
      this.remember(userId, {}, this.failureTtlMs);
      return {};
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(userId: string, profile: SlackProfile, ttlMs: number): void {
    this.cache.delete(userId);
    this.cache.set(userId, { profile, expires: this.now() + ttlMs });
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}

function toProfile(result: UsersInfoResult): SlackProfile {
  const user = result.user;
  if (!user) return {};
  const name = nonEmpty(user.profile?.display_name) ?? nonEmpty(user.profile?.real_name) ?? nonEmpty(user.real_name) ?? nonEmpty(user.name);
  const email = nonEmpty(user.profile?.email);
  return { ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}), ...(user.is_bot ? { isBot: true } : {}) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}

/** An error's code or message, without anything the SDK may have attached (headers, request bodies). */
function describe(error: unknown): string {
  if (error && typeof error === "object" && "data" in error) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === "string") return data.error;
  }
  return error instanceof Error ? error.message : String(error);
}
