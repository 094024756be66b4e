/**
 * Config problems as one line each, `path.to.field: message`, worded for someone editing YAML
 * rather than for someone reading zod's internals. Array indexes are path segments: `routes.0.when`.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;
type Segment = PropertyKey;

/** `channels.api.type`; keys that are not plain words are quoted: `agents."my bot".kind`. */
export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((segment) => {
      const text = typeof segment === "symbol" ? (segment.description ?? "") : String(segment);
      return /^[\w$-]+$/.test(text) ? text : JSON.stringify(text);
    })
    .join(".");
}

/**
 * Passed to `safeParse` as its error map, so zod's default messages are replaced while the
 * messages written in the schema itself (e.g. "must be at least 16 characters") still win.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "required" : `expected ${typeName(issue.expected)}, got ${describe(issue.input)}`;
    case "invalid_value":
      return `${oneOf(issue.values)}${got(issue.input)}`;
    case "invalid_union":
      return unionMessage(issue);
    case "too_small":
      return sizeMessage(issue.origin, "at least", issue.minimum, issue.inclusive !== false);
    case "too_big":
      return sizeMessage(issue.origin, "at most", issue.maximum, issue.inclusive !== false);
    case "invalid_format":
      return formatMessage(issue);
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return issue.keys.map((key) => `unknown key ${JSON.stringify(key)}`).join(", ");
    case "invalid_key":
      return "invalid key";
    default:
      return undefined;
  }
};

/** One line per problem. `prefix` places issues from a nested parse (a union branch, a record key). */
export function formatIssues(issues: readonly Issue[], prefix: readonly Segment[] = []): string[] {
  const lines = issues.flatMap((issue): string[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case "unrecognized_keys":
        // One line per key, with the key in the path, so each can be found and fixed on its own.
        return issue.keys.map((key) => `${formatPath([...path, key])}: unknown key ${JSON.stringify(key)}`);
      case "invalid_key":
        return formatIssues(issue.issues, path);
      case "invalid_union": {
        const branch = closestBranch(issue.errors);
        return branch ? formatIssues(branch, path) : [`${formatPath(path)}: ${issue.message}`];
      }
      default:
        return [`${formatPath(path)}: ${issue.message}`];
    }
  });
  return [...new Set(lines)];
}

/**
 * For a plain union (not a discriminated one), the branch whose type matched and that failed
 * further in: for `keyword: [1]`, the list branch's `keyword.0` is more useful than "expected string".
 */
function closestBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const typeMatched = branches.filter((issues) => issues.every((i) => i.path.length > 0 || i.code !== "invalid_type"));
  return typeMatched.sort((a, b) => a.length - b.length)[0];
}

function unionMessage(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidUnion>): string {
  if (issue.discriminator !== undefined) {
    const options = Array.isArray(issue.options) ? issue.options.map(String).join(", ") : "";
    const value = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
    return value === undefined ? `required (one of ${options})` : `must be one of ${options}${got(value)}`;
  }
  const expected = issue.errors.map((branch) => {
    const only = branch.length === 1 ? branch[0] : undefined;
    return only?.code === "invalid_type" && only.path.length === 0 ? typeName(only.expected) : undefined;
  });
  if (expected.length > 0 && expected.every((name) => name !== undefined)) {
    return `expected ${[...new Set(expected)].join(" or ")}, got ${describe(issue.input)}`;
  }
  return "does not match any allowed form";
}

function sizeMessage(origin: string, bound: "at least" | "at most", limit: number | bigint, inclusive: boolean): string {
  const n = Number(limit);
  switch (origin) {
    case "string":
      if (bound === "at least" && n === 1) return "must not be empty";
      return `must be ${bound} ${n} character${n === 1 ? "" : "s"}`;
    case "array":
    case "set":
      if (bound === "at least" && n === 1) return "must not be empty";
      return `must have ${bound} ${n} item${n === 1 ? "" : "s"}`;
    default:
      if (inclusive) return `must be ${bound} ${n}`;
      return `must be ${bound === "at least" ? "greater" : "less"} than ${n}`;
  }
}

function formatMessage(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidStringFormat>): string {
  switch (issue.format) {
    case "starts_with":
      return `must start with ${JSON.stringify(issue["prefix"])}`;
    case "ends_with":
      return `must end with ${JSON.stringify(issue["suffix"])}`;
    case "includes":
      return `must contain ${JSON.stringify(issue["includes"])}`;
    case "regex":
      return `must match ${issue.pattern ?? "the pattern"}`;
    default:
      return `must be a valid ${issue.format}`;
  }
}

function oneOf(values: readonly unknown[]): string {
  const list = values.map((v) => (typeof v === "string" ? v : String(v)));
  return list.length === 1 ? `must be ${list[0]}` : `must be one of ${list.join(", ")}`;
}

/** The offending value, for enum-like fields only: short, and never a secret. */
function got(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "object" && value !== null) return ` (got ${describe(value)})`;
  const text = JSON.stringify(value) ?? String(value);
  return ` (got ${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}

function typeName(expected: string): string {
  if (expected === "int") return "integer";
  if (expected === "record") return "object";
  return expected;
}

/** The kind of value found. Strings are not echoed back: a wrong-typed field may hold a secret. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
