/**
 * Checks a request body against a zod schema at the edge and turns the first problem into a
 * 400 that names the field: `text: required`, `user: expected string`, `body: unknown field colour`.
 */
import type { z } from "zod";
import { RequestError } from "./errors.ts";

export function parseRequest<T>(schema: z.ZodType<T>, input: unknown, what = "body"): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new RequestError(400, describeIssue(parsed.error.issues[0]!, what));
}

function describeIssue(issue: z.core.$ZodIssue, what: string): string {
  const path = issue.path.join(".") || what;
  switch (issue.code) {
    case "invalid_type":
      // zod reports a missing field as a wrong type whose input was undefined.
      return /received undefined/.test(issue.message) ? `${path}: required` : `${path}: expected ${issue.expected}`;
    case "unrecognized_keys":
      return `${path}: unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    default:
      return `${path}: ${issue.message}`;
  }
}
