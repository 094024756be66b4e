/**
 * Config values that may come from `${VAR}`, which always yields a string: numbers and booleans
 * written as strings are accepted where a number or boolean is expected.
 */
import { z } from "zod";

/** A number schema that also takes a numeric string. */
export const numeric = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), schema);

/** An integer in [min, max], also from a numeric string. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => numeric(z.number().int().min(min).max(max));

/** A boolean, also from "true" or "false". */
export const boolean = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
