/**
 * The `admin` block of switchboard.yaml: the token that guards the management API
 * (`/v1/sessions`, `/v1/pairing`). Without a token the management API is off, never open.
 */
import { z } from "zod";
import { boolean } from "./coerce.ts";

/** Where `switchboard start` keeps the token it generates, relative to the config file's directory. */
export const defaultAdminTokenFile = ".switchboard/admin-token";

/** Shorter tokens are guessable; 32 characters is the floor for hand-written ones too. */
export const minAdminTokenLength = 32;

export const adminSchema = z
  .strictObject({
    /** false: no management API at all, and `switchboard start` generates no token. */
    enabled: boolean.default(true),
    /** The admin token itself, usually "${SWITCHBOARD_ADMIN_TOKEN}"; at least 32 characters. */
    token: z.string().min(minAdminTokenLength, `must be at least ${minAdminTokenLength} characters (e.g. openssl rand -hex 32)`).optional(),
    /**
     * A file holding the token (mode 0600), relative to the config file. `switchboard start`
     * creates it when it is missing; default `.switchboard/admin-token`.
     */
    tokenFile: z.string().min(1).optional(),
  })
  .superRefine((admin, ctx) => {
    if (admin.token !== undefined && admin.tokenFile !== undefined) {
      ctx.addIssue({ code: "custom", path: ["tokenFile"], message: "give token or tokenFile, not both" });
    }
  })
  .prefault({});

export type AdminConfig = z.output<typeof adminSchema>;
