/**
 * Agent-card discovery and the official A2A client built from the card. The SDK is imported on
 * first use, so a gateway without `a2a` agents never loads it. The client is kept once built; a
 * failed discovery is not, so the next turn tries again.
 */
import type * as A2aCore from "@a2a-js/sdk";
import type { AgentCard } from "@a2a-js/sdk";
import type * as A2aClientSdk from "@a2a-js/sdk/client";
import type { Client } from "@a2a-js/sdk/client";
import { AgentError } from "../../core/errors.ts";
import type { A2aAgentConfig } from "./config.ts";

export interface A2aSdk {
  core: typeof A2aCore;
  client: typeof A2aClientSdk;
}

let sdk: Promise<A2aSdk> | undefined;

export function loadA2aSdk(): Promise<A2aSdk> {
  sdk ??= Promise.all([import("@a2a-js/sdk"), import("@a2a-js/sdk/client")])
    .then(([core, client]) => ({ core, client }))
    .catch((error: unknown) => {
      sdk = undefined;
      throw new AgentError('the a2a agent needs the "@a2a-js/sdk" package: npm install @a2a-js/sdk', { cause: error });
    });
  return sdk;
}

export interface A2aConnection {
  client: Client;
  card: AgentCard;
}

/** Discovers the remote agent once and keeps the client; `forget()` makes the next turn discover again. */
export class A2aConnector {
  readonly cardUrl: string;
  private readonly config: A2aAgentConfig;
  private connection: A2aConnection | undefined;
  private readonly statuses = new WeakMap<AbortSignal, number>();

  constructor(config: A2aAgentConfig) {
    this.config = config;
    this.cardUrl = config.cardUrl ?? `${config.url.replace(/\/+$/, "")}/.well-known/agent-card.json`;
  }

  async connect(signal: AbortSignal): Promise<A2aConnection & { sdk: A2aSdk }> {
    const loaded = await loadA2aSdk();
    this.connection ??= await this.discover(loaded, signal);
    return { ...this.connection, sdk: loaded };
  }

  forget(): void {
    this.connection = undefined;
  }

  /** The HTTP error status a call made with this signal got, if any. */
  httpStatus(signal: AbortSignal): number | undefined {
    return this.statuses.get(signal);
  }

  private async discover({ client: clientSdk }: A2aSdk, signal: AbortSignal): Promise<A2aConnection> {
    const fetchImpl = withHeaders(this.config.headers ?? {}, this.statuses);
    const where = redactUrl(this.cardUrl);
    let raw: unknown;
    try {
      const response = await fetchImpl(this.cardUrl, { headers: { accept: "application/json", "A2A-Version": "1.0" }, signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      raw = await response.json();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new AgentError(`could not fetch the agent card from ${where}: ${describeError(error)}`, { cause: error });
    }
    // The v0.3 layer lets the same client talk to agents that still speak A2A 0.3.
    const legacyCompat = { enabled: true };
    const cardResolver = new clientSdk.DefaultAgentCardResolver({ fetchImpl, legacyCompat });
    const factory = new clientSdk.ClientFactory({
      transports: [new clientSdk.JsonRpcTransportFactory({ fetchImpl, legacyCompat }), new clientSdk.RestTransportFactory({ fetchImpl, legacyCompat })],
      cardResolver,
    });
    try {
      if (raw === null || typeof raw !== "object") throw new Error("not a JSON object");
      const card = cardResolver.normalizeAgentCard(raw);
      return { client: await factory.createFromAgentCard(card), card };
    } catch (error) {
      if (signal.aborted) throw error;
      throw new AgentError(`the agent card at ${where} is not usable: ${describeError(error)}`, { cause: error });
    }
  }
}

/**
 * A fetch that adds the configured headers (auth, …), the SDK's own winning on a clash, and notes
 * an HTTP error status by the call's signal: the SDK's errors don't always say it.
 */
function withHeaders(headers: Record<string, string>, statuses: WeakMap<AbortSignal, number>): typeof fetch {
  return async (input, init) => {
    const merged = new Headers(headers);
    new Headers(init?.headers).forEach((value, name) => merged.set(name, value));
    const response = await fetch(input, { ...init, headers: merged });
    if (!response.ok && init?.signal) statuses.set(init.signal, response.status);
    return response;
  };
}

/** A URL fit for an error message: no user info, query or fragment, where tokens hide. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** The error's message and, for network failures, the system code (ECONNREFUSED, …). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const code = cause && typeof cause === "object" && "code" in cause ? String(cause.code) : undefined;
  if (code && error.message === "fetch failed") return `unreachable (${code})`;
  return code ? `${error.message} (${code})` : error.message;
}
