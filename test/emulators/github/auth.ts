/**
 * Who a request acts as, from its `Authorization` header (`token X` or `Bearer X`): a personal
 * access token (`ghp_…`) acts as its user; an installation token (`ghs_…`, minted from an App
 * JWT, expiring after `tokenTtlMs`) acts as the App's bot; an App JWT (RS256, signed with the
 * App's private key) acts as the App itself. Failures carry GitHub's 401 messages.
 */
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import type { RepoStore } from "./repos.ts";

export type Identity =
  | { kind: "anonymous"; name: "anonymous" }
  | { kind: "user"; name: string; subject: string }
  | { kind: "installation"; name: string; subject: string }
  | { kind: "app"; name: "app"; subject: string };

export type AuthResult = { ok: true; identity: Identity } | { ok: false; message: string };

export const JWT_UNDECODABLE = "A JSON web token could not be decoded";
const EXP_NOT_FUTURE = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
const IAT_INVALID = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
/** GitHub refuses App JWTs that live longer than ten minutes. */
const MAX_JWT_SECONDS = 600;
/** Slack for clocks a little ahead of ours when checking `iat`. */
const CLOCK_LEEWAY_SECONDS = 60;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A token in GitHub's format: a prefix naming its kind and 36 base62 characters. */
export function githubToken(prefix: "ghp" | "ghs"): string {
  return `${prefix}_${Array.from(randomBytes(36), (b) => BASE62[b % 62]).join("")}`;
}

export interface CredentialOptions {
  appId: number;
  clientId: string;
  installationId: number;
  botLogin: string;
  tokenTtlMs: number;
  store: RepoStore;
}

export class Credentials {
  /** The App's private key as GitHub hands it out: PKCS#1 PEM. */
  readonly privateKey: string;
  private readonly publicKey: KeyObject;
  private readonly patByLogin = new Map<string, string>();
  private readonly loginByPat = new Map<string, string>();
  private readonly installationTokens = new Map<string, number>();
  private readonly o: CredentialOptions;

  constructor(options: CredentialOptions) {
    this.o = options;
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    this.publicKey = publicKey;
  }

  /** The personal access token acting as `login`; the same one every time. */
  patFor(login: string): string {
    const existing = this.patByLogin.get(login.toLowerCase());
    if (existing) return existing;
    const token = githubToken("ghp");
    this.patByLogin.set(login.toLowerCase(), token);
    this.loginByPat.set(token, login);
    return token;
  }

  mintInstallationToken(nowMs = Date.now()): { token: string; expiresAtMs: number } {
    const token = githubToken("ghs");
    const expiresAtMs = nowMs + this.o.tokenTtlMs;
    this.installationTokens.set(token, expiresAtMs);
    return { token, expiresAtMs };
  }

  authenticate(header: string | undefined, nowMs = Date.now()): AuthResult {
    if (!header) return { ok: true, identity: { kind: "anonymous", name: "anonymous" } };
    const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
    const credential = match?.[1];
    if (!credential) return { ok: false, message: "Bad credentials" };
    if (credential.startsWith("ghp_")) {
      const login = this.loginByPat.get(credential);
      if (!login) return { ok: false, message: "Bad credentials" };
      return { ok: true, identity: { kind: "user", name: login, subject: `user ID ${this.o.store.knowAccount(login).id}` } };
    }
    if (credential.startsWith("ghs_")) {
      const expiresAtMs = this.installationTokens.get(credential);
      if (expiresAtMs === undefined || expiresAtMs <= nowMs) return { ok: false, message: "Bad credentials" };
      return { ok: true, identity: { kind: "installation", name: this.o.botLogin, subject: `installation ID ${this.o.installationId}` } };
    }
    if (credential.split(".").length === 3) {
      const problem = this.jwtProblem(credential, Math.floor(nowMs / 1000));
      if (problem) return { ok: false, message: problem };
      return { ok: true, identity: { kind: "app", name: "app", subject: `app ID ${this.o.appId}` } };
    }
    return { ok: false, message: "Bad credentials" };
  }

  /** Why GitHub would refuse this App JWT, or undefined when it is good. */
  private jwtProblem(jwt: string, now: number): string | undefined {
    const [head = "", body = "", signature = ""] = jwt.split(".");
    const header = parseSegment(head);
    const claims = parseSegment(body);
    if (!header || !claims || header.alg !== "RS256") return JWT_UNDECODABLE;
    const signed = verify("sha256", Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(signature, "base64url"));
    if (!signed) return JWT_UNDECODABLE;
    if (String(claims.iss) !== String(this.o.appId) && claims.iss !== this.o.clientId) return JWT_UNDECODABLE;
    const { iat, exp } = claims;
    if (typeof iat !== "number" || !Number.isInteger(iat) || iat > now + CLOCK_LEEWAY_SECONDS) return IAT_INVALID;
    if (typeof exp !== "number" || exp <= now) return EXP_NOT_FUTURE;
    if (exp > now + MAX_JWT_SECONDS) return EXP_TOO_FAR;
    return undefined;
  }
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
