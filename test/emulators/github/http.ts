/**
 * The REST layer's vocabulary: a route (method, GitHub path template, who may call it), the call
 * a handler sees, its reply, and GitHub's error body `{message, errors?, documentation_url, status}`.
 */
import type { IncomingMessage } from "node:http";
import type { Identity } from "./auth.ts";
import { readText } from "../read-body.ts";

export const REST_DOCS = "https://docs.github.com/rest";

export interface Call {
  method: string;
  /** The request path without its query. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (POST/PATCH), `{}` when there is none. */
  body: Record<string, unknown>;
  identity: Identity;
  nowMs: number;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST" | "PATCH";
  /** GitHub's template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`; `*_number`/`*_id` params are digits. */
  path: string;
  /** The endpoint's documentation_url, used in its validation errors. */
  docs: string;
  /** `app`: App JWT only. `token`: a PAT or installation token. `any`: also without credentials. */
  auth: "app" | "token" | "any";
  handle(call: Call): Reply | Promise<Reply>;
}

/** A GitHub error answer; handlers throw it and the pipeline sends it. */
export class GitHubError extends Error {
  readonly status: number;
  readonly docs: string;
  readonly errors?: unknown[];
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, extra: { docs?: string; errors?: unknown[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.docs = extra.docs ?? REST_DOCS;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }

  get body(): Record<string, unknown> {
    return { message: this.message, ...(this.errors ? { errors: this.errors } : {}), documentation_url: this.docs, status: String(this.status) };
  }
}

export const notFound = (): GitHubError => new GitHubError(404, "Not Found");

/** 422 "Validation Failed" with GitHub's `errors` entries. */
export const validationFailed = (docs: string, ...errors: Array<Record<string, unknown>>): GitHubError => new GitHubError(422, "Validation Failed", { docs, errors });

/** 422 for a request body that does not fit the endpoint's schema, worded like GitHub's. */
export const invalidRequest = (docs: string, missing: string[]): GitHubError =>
  new GitHubError(422, `Invalid request.\n\n${missing.map((m) => `"${m}"`).join(", ")} ${missing.length === 1 ? "wasn't" : "weren't"} supplied.`, { docs });

export function compilePath(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return /(_number|_id)$/.test(name) ? "(\\d+)" : "([^/]+)";
  });
  return { regex: new RegExp(`^${source}$`), names };
}

/** The JSON object body, `{}` when empty; GitHub answers 400 "Problems parsing JSON" otherwise. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readText(req);
  if (!raw.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to GitHub's answer
  }
  throw new GitHubError(400, "Problems parsing JSON");
}
