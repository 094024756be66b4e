/**
 * Reads the three redis store URL forms into what the client needs: a plain `redis://` URL (left
 * to ioredis), `redis+sentinel://` (sentinels and a master name) and `redis+cluster://` (seed
 * nodes). No ioredis here, so a bad URL is reported before the client is ever loaded.
 */
import { ConfigError } from "../../core/errors.ts";
import { REDACTED } from "../../core/redact.ts";

export interface RedisNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { topology: "standalone"; url: string }
  | {
    topology: "sentinel";
    sentinels: RedisNode[];
    masterName: string;
    db: number;
    username?: string;
    password?: string;
    sentinelPassword?: string;
  }
  | { topology: "cluster"; nodes: RedisNode[]; username?: string; password?: string };

export interface ParsedRedisUrl {
  target: RedisTarget;
  /** The `?prefix=` value, when given. */
  prefix: string | undefined;
}

export const REDIS_FORMS = [
  "redis://[user:pass@]host:port[/db][?prefix=name:]",
  "redis+sentinel://[user:pass@]host:port[,host:port…]/<master name>[/db][?prefix=name:&sentinelPassword=…]",
  "redis+cluster://[user:pass@]host:port[,host:port…][?prefix=name:]",
] as const;

const SENTINEL = "redis+sentinel://";
const CLUSTER = "redis+cluster://";
const SENTINEL_PORT = 26379;
const REDIS_PORT = 6379;

export function isRedisUrl(url: string): boolean {
  return ["redis://", "rediss://", SENTINEL, CLUSTER].some((scheme) => url.startsWith(scheme));
}

export function parseRedisUrl(url: string): ParsedRedisUrl {
  if (url.startsWith(SENTINEL)) return parseSentinel(url);
  if (url.startsWith(CLUSTER)) return parseCluster(url);
  return parseStandalone(url);
}

/**
 * The URL as it may appear in a log or an error: passwords become `••••`. The userinfo ends at
 * the last `@`, so a password with an unescaped `/` or `?` is hidden too.
 */
export function redactRedisUrl(url: string): string {
  const start = url.indexOf("://") + 3;
  const at = url.lastIndexOf("@");
  let redacted = url;
  if (start >= 3 && at > start) {
    const userinfo = url.slice(start, at);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) redacted = `${url.slice(0, start)}${userinfo.slice(0, colon)}:${REDACTED}${url.slice(at)}`;
  }
  return redacted.replace(/([?&]sentinelPassword=)[^&#]*/i, `$1${REDACTED}`);
}

/** `redis://` and `rediss://`: the key prefix rides in the query, the rest is ioredis's. */
function parseStandalone(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, REDIS_FORMS[0]);
  }
  const prefix = readPrefix(parsed.searchParams);
  parsed.searchParams.delete("prefix");
  return { target: { topology: "standalone", url: parsed.toString() }, prefix };
}

function parseSentinel(url: string): ParsedRedisUrl {
  const form = REDIS_FORMS[1];
  const parts = splitUrl(url, SENTINEL, form);
  const query = readQuery(url, parts.query, ["prefix", "sentinelPassword"], form);
  const [masterName, db, ...extra] = parts.path;
  if (masterName === undefined || masterName === "") {
    throw new ConfigError([`store: "${redactRedisUrl(url)}" names no master (${form}, e.g. redis+sentinel://10.0.0.1:26379/mymaster)`]);
  }
  if (extra.length > 0) throw invalid(url, form);
  const sentinelPassword = query.get("sentinelPassword") ?? undefined;
  return {
    target: {
      topology: "sentinel",
      sentinels: readNodes(url, parts.hosts, SENTINEL_PORT, form),
      masterName: decode(url, masterName, form),
      db: readDb(url, db),
      ...readCredentials(url, parts.userinfo, form),
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    },
    prefix: readPrefix(query),
  };
}

function parseCluster(url: string): ParsedRedisUrl {
  const form = REDIS_FORMS[2];
  const parts = splitUrl(url, CLUSTER, form);
  const query = readQuery(url, parts.query, ["prefix"], form);
  if (parts.path.some((segment) => segment !== "")) {
    throw new ConfigError([`store: "${redactRedisUrl(url)}" has a path, but Redis Cluster has only database 0 (${form})`]);
  }
  return {
    target: { topology: "cluster", nodes: readNodes(url, parts.hosts, REDIS_PORT, form), ...readCredentials(url, parts.userinfo, form) },
    prefix: readPrefix(query),
  };
}

/**
 * `scheme://[userinfo@]hosts[/path][?query]` by hand: WHATWG URL refuses a comma-separated
 * host list, which is the point of these forms.
 */
function splitUrl(url: string, scheme: string, form: string): { userinfo: string | undefined; hosts: string; path: string[]; query: string } {
  if (url.includes("#")) throw invalid(url, form);
  const rest = url.slice(scheme.length);
  const queryAt = rest.indexOf("?");
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? "" : rest.slice(queryAt + 1);
  // The userinfo ends at the last "@", so a password holding "/" still reads as a password.
  const at = beforeQuery.lastIndexOf("@");
  const afterUserinfo = beforeQuery.slice(at + 1);
  const pathAt = afterUserinfo.indexOf("/");
  const path = pathAt < 0 ? [] : afterUserinfo.slice(pathAt + 1).split("/");
  return {
    userinfo: at < 0 ? undefined : beforeQuery.slice(0, at),
    hosts: pathAt < 0 ? afterUserinfo : afterUserinfo.slice(0, pathAt),
    path: path.length === 1 && path[0] === "" ? [] : path,
    query,
  };
}

function readNodes(url: string, hosts: string, defaultPort: number, form: string): RedisNode[] {
  if (hosts === "") throw new ConfigError([`store: "${redactRedisUrl(url)}" names no host (${form})`]);
  return hosts.split(",").map((entry) => {
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d+))?$/i.exec(entry);
    const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError([`store: "${redactRedisUrl(url)}" has a bad host "${entry}" (host:port, ${form})`]);
    }
    return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port };
  });
}

function readCredentials(url: string, userinfo: string | undefined, form: string): { username?: string; password?: string } {
  if (userinfo === undefined) return {};
  const colon = userinfo.indexOf(":");
  const username = decode(url, colon < 0 ? userinfo : userinfo.slice(0, colon), form);
  const password = colon < 0 ? "" : decode(url, userinfo.slice(colon + 1), form);
  return { ...(username !== "" ? { username } : {}), ...(password !== "" ? { password } : {}) };
}

function readQuery(url: string, query: string, allowed: string[], form: string): URLSearchParams {
  const params = new URLSearchParams(query);
  for (const name of params.keys()) {
    if (!allowed.includes(name)) {
      throw new ConfigError([`store: "${redactRedisUrl(url)}" has an unknown option "${name}" (allowed: ${allowed.join(", ")}; ${form})`]);
    }
  }
  return params;
}

function readPrefix(params: URLSearchParams): string | undefined {
  const prefix = params.get("prefix") ?? undefined;
  if (prefix === "") throw new ConfigError(["store: the redis key prefix is empty; leave ?prefix= out for the default switchboard:"]);
  return prefix;
}

function readDb(url: string, db: string | undefined): number {
  if (db === undefined || db === "") return 0;
  if (!/^\d{1,5}$/.test(db)) throw new ConfigError([`store: "${redactRedisUrl(url)}" has a bad database number "${db}" (a whole number such as 0)`]);
  return Number(db);
}

function decode(url: string, value: string, form: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(url, form);
  }
}

function invalid(url: string, form: string): ConfigError {
  return new ConfigError([`store: "${redactRedisUrl(url)}" is not a valid redis URL (expected ${form})`]);
}
