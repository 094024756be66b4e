/**
 * Environment variables in config values: `${VAR}`, `${VAR:-default}`, and `$${VAR}` for a literal
 * `${VAR}`. Runs on the parsed YAML tree before validation, on string values only, never keys, so
 * secrets can stay out of the file and a value can never turn into config structure.
 */
import { formatPath } from "./issues.ts";

export interface Interpolated {
  value: unknown;
  /** One line per problem, `path: message`; empty when every reference resolved. */
  issues: string[];
}

// `$${` first, so an escaped reference is never read as a real one.
const token = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export function interpolateEnv(tree: unknown, env: NodeJS.ProcessEnv = process.env): Interpolated {
  const issues: string[] = [];
  const value = walk(tree, [], env, issues);
  return { value, issues };
}

function walk(node: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: string[]): unknown {
  if (typeof node === "string") return substitute(node, path, env, issues);
  if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i], env, issues));
  if (isPlainObject(node)) {
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key], env, issues)]));
  }
  return node;
}

function substitute(text: string, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: string[]): string {
  if (!text.includes("${")) return text;
  const at = formatPath(path);
  return text.replace(token, (match: string, body: string | undefined) => {
    if (match === "$${") return "${";
    if (body === undefined) {
      issues.push(`${at}: unterminated "\${" (write $\${ for a literal \${)`);
      return match;
    }
    const parsed = reference.exec(body);
    const name = parsed?.[1];
    const fallback = parsed?.[2];
    if (name === undefined || fallback?.includes("${")) {
      issues.push(`${at}: invalid reference "${match}" (use \${NAME} or \${NAME:-default})`);
      return match;
    }
    const set = env[name];
    // Like the shell's `:-`, an empty variable takes the default too.
    if (fallback !== undefined) return set === undefined || set === "" ? fallback : set;
    if (set === undefined) {
      issues.push(`${at}: environment variable ${name} is not set`);
      return match;
    }
    return set;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
