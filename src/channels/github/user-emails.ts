/**
 * Which email a GitHub login stands for, for access allowlists and identity links: the channel's
 * `userMap` first, else (with `publicEmails`) the public email on the user's profile
 * (`GET /users/{login}`), asked once per login per hour. A lookup that fails counts as no email: the sender is then matched by
 * id only, never let in on a guess.
 */
import type { Logger } from "../../core/log.ts";

const CACHE_MS = 3_600_000;
const MAX_CACHED = 5_000;

export class UserEmails {
  private readonly mapped: Map<string, string>;
  private readonly lookup: ((login: string) => Promise<string | undefined>) | undefined;
  private readonly log: () => Logger;
  private readonly cache = new Map<string, { email: string | undefined; until: number }>();

  constructor(options: { userMap?: Record<string, string> | undefined; lookup?: (login: string) => Promise<string | undefined>; log: () => Logger }) {
    // Logins are case-insensitive on GitHub.
    this.mapped = new Map(Object.entries(options.userMap ?? {}).map(([login, email]) => [login.toLowerCase(), email]));
    this.lookup = options.lookup;
    this.log = options.log;
  }

  async of(login: string): Promise<string | undefined> {
    const key = login.toLowerCase();
    const mapped = this.mapped.get(key);
    if (mapped !== undefined || !this.lookup) return mapped;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.email;
    let email: string | undefined;
    try {
      email = (await this.lookup(login)) ?? undefined;
    } catch (error) {
      this.log().debug("could not read a GitHub user's public email", { login, error });
      return undefined;
    }
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { email, until: Date.now() + CACHE_MS });
    return email;
  }
}
