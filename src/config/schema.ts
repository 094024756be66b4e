/**
 * The shape of switchboard.yaml, as a zod schema. The parsed result is `SwitchboardConfig`; the
 * JSON Schema for editors (schema/switchboard.schema.json) is generated from this file.
 * Channel and agent entries are open objects checked by their own kind, so later kinds plug in.
 */
import { z } from "zod";
import { identityLinkIssues } from "../core/access/identity.ts";
import { boolean, integer } from "./coerce.ts";
import { openaiAgentSchema } from "../agents/openai/config.ts";
import { anthropicAgentSchema } from "../agents/anthropic/config.ts";
import { a2aAgentSchema } from "../agents/a2a/config.ts";
import { commandAgentSchema } from "../agents/command/config.ts";
import { httpAgentSchema } from "../agents/http/config.ts";
import { webhookChannelSchema } from "../channels/webhook/config.ts";
import { scheduleReferenceIssues, schedulesSchema } from "./schedules.ts";
import { gatewayToolsIssues, gatewayToolsSchema } from "./mcp.ts";
import { metricsSchema, tracingSchema } from "./observability.ts";
import { whatsappChannelSchema } from "../channels/whatsapp/config.ts";
import { telegramChannelSchema } from "../channels/telegram/config.ts";
import { discordChannelSchema } from "../channels/discord/config.ts";
import { agentSettingsSchema, busyPolicy, bytes, duration, stringOrList, threadStrategy, accessSchema } from "./fields.ts";
import { limitsSchema } from "../core/abuse/config.ts";
import { secretsSchema } from "../core/secrets/config.ts";
import { adminSchema } from "./admin.ts";

export { agentSettingsSchema, busyPolicy, threadStrategy } from "./fields.ts";

const userSchema = z.strictObject({
  /** For `command` agents in strict isolation: the Unix user this user's turns run as. */
  unixUser: z.string().optional(),
  agentSettings: agentSettingsSchema.optional(),
});

const echoAgent = z.strictObject({
  kind: z.literal("echo"),
  /** Delay between streamed words, to make streaming visible. */
  delay: duration.optional(),
  prefix: z.string().optional(),
  busy: busyPolicy.optional(),
  turnTimeout: duration.optional(),
  gatewayTools: gatewayToolsSchema.optional(),
});

const functionAgent = z.strictObject({
  kind: z.literal("function"),
  /** Path of an ES module (.js, .mjs or .ts), relative to the config file. */
  module: z.string().min(1),
  /** Named export to use; `default` unless set. */
  export: z.string().optional(),
  /** Passed to a factory export: `export function create(options)`. */
  options: z.record(z.string(), z.unknown()).optional(),
  busy: busyPolicy.optional(),
  turnTimeout: duration.optional(),
  /** The gateway's MCP server for this agent; a function agent finds it in `input.settings.mcpServers.switchboard`. */
  gatewayTools: gatewayToolsSchema.optional(),
});

/** Every agent kind also takes the lane settings, parsed here once for all kinds. */
const laneSettings = {
  busy: busyPolicy.optional(),
  turnTimeout: duration.optional(),
  /** The gateway's own MCP tools (send_message, schedule_message, sessions) for this agent. */
  gatewayTools: gatewayToolsSchema.optional(),
};

export const agentSchema = z.discriminatedUnion("kind", [
  echoAgent,
  functionAgent,
  openaiAgentSchema.extend(laneSettings),
  anthropicAgentSchema.extend(laneSettings),
  a2aAgentSchema.extend(laneSettings),
  commandAgentSchema.safeExtend(laneSettings),
  httpAgentSchema.extend(laneSettings),
]);

const httpChannel = z.strictObject({
  type: z.literal("http"),
  /** A bearer key callers must send; without one, `switchboard start` generates a key on the first start and keeps it encrypted in the store. */
  key: z.string().min(16, "must be at least 16 characters").optional(),
  /** `key` (default): callers need a channel key. `none`: open to anyone who reaches the port; say so explicitly. */
  auth: z.enum(["key", "none"]).optional(),
  threadStrategy: threadStrategy.optional(),
  agentSettings: agentSettingsSchema.optional(),
  access: accessSchema.optional(),
  enabled: boolean.optional(),
}).superRefine((http, ctx) => {
  if (http.auth === "none" && http.key !== undefined) ctx.addIssue({ code: "custom", path: ["auth"], message: "auth: none opens the channel to anyone, yet a key is set: drop one of them" });
});

const webchatChannel = z.strictObject({
  type: z.literal("webchat"),
  /** Where the page is served; `/` by default. */
  path: z.string().startsWith("/").optional(),
  title: z.string().optional(),
  threadStrategy: threadStrategy.optional(),
  agentSettings: agentSettingsSchema.optional(),
  access: accessSchema.optional(),
  enabled: boolean.optional(),
});

const slackChannel = z
  .strictObject({
    type: z.literal("slack"),
    /** `events`: Slack POSTs to /channels/<id> (needs a public URL). `socket`: Socket Mode, no public URL. */
    mode: z.enum(["events", "socket"]).default("events"),
    botToken: z.string().startsWith("xoxb-", "must be a bot token (xoxb-…)"),
    signingSecret: z.string().min(1).optional(),
    appToken: z.string().startsWith("xapp-", "must be an app-level token (xapp-…)").optional(),
    /** Another Web API base URL, e.g. the emulator's `http://127.0.0.1:3210/api/`. */
    apiUrl: z.string().url().optional(),
    /** In channels, answer only messages that mention the bot (DMs are always answered). */
    require_mention: boolean.default(true),
    /** Answer only in these channel ids (DMs are not affected). */
    allowed_channel_ids: z.array(z.string()).optional(),
    /** `edit`: stream by editing one message; `off`: post the reply when it is done. */
    streaming: z.enum(["edit", "off"]).default("edit"),
    /** Least time between two edits of a streaming message. */
    editInterval: duration.default(1000),
    /** Socket Mode: reconnect a socket that has been silent this long. */
    watchdogSilence: duration.default(30_000),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.prefault({}),
    enabled: boolean.optional(),
  })
  .superRefine((slack, ctx) => {
    if (slack.mode === "events" && slack.signingSecret === undefined) {
      ctx.addIssue({ code: "custom", path: ["signingSecret"], message: "required when mode is events (Slack app → Basic Information → Signing Secret)" });
    }
    if (slack.mode === "socket" && slack.appToken === undefined) {
      ctx.addIssue({ code: "custom", path: ["appToken"], message: "required when mode is socket (an app-level token with connections:write)" });
    }
  });

const emailChannel = z.strictObject({
  type: z.literal("email"),
  /** The agent's mailbox address: the From of replies, and never answered itself. */
  address: z.email(),
  /** Display name in From. */
  name: z.string().optional(),
  replyTo: z.email().optional(),
  /** Other addresses that are ours (aliases); mail from them is never answered. */
  aliases: z.array(z.email()).default([]),
  imap: z.strictObject({
    host: z.string().min(1),
    port: integer(1, 65535).default(993),
    secure: boolean.default(true),
    user: z.string().min(1),
    password: z.string().min(1),
    mailbox: z.string().default("INBOX"),
    /** Move processed mail here instead of flagging it \Seen. */
    processedFolder: z.string().optional(),
    /** IMAP IDLE for instant delivery; polling remains the fallback. */
    idle: boolean.default(true),
    pollInterval: duration.default(30_000),
  }),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: integer(1, 65535).default(587),
    secure: boolean.default(false),
    user: z.string().optional(),
    password: z.string().optional(),
  }),
  /** Replies per sender and window; mail beyond it is left unanswered (and logged), so a loop dies out. */
  rateLimit: z.strictObject({ max: integer(1).default(10), window: duration.default(3_600_000) }).prefault({}),
  threadStrategy: threadStrategy.optional(),
  agentSettings: agentSettingsSchema.optional(),
  access: accessSchema.prefault({}),
  enabled: boolean.optional(),
});

const githubChannel = z
  .strictObject({
    type: z.literal("github"),
    /** `poll` (default): no public URL needed. `webhook`: GitHub POSTs to /channels/<id>, with a slow catch-up poll. */
    mode: z.enum(["poll", "webhook"]).default("poll"),
    /** A GitHub App installation; or `token`. */
    app: z
      .strictObject({
        id: integer(1),
        /** The App's private key, PEM text (e.g. "${GITHUB_APP_PRIVATE_KEY}"); or privateKeyFile. */
        privateKey: z.string().includes("PRIVATE KEY", { message: "must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)" }).optional(),
        /** A file holding the PEM private key, relative to this config file. */
        privateKeyFile: z.string().min(1).optional(),
        installationId: integer(1),
      })
      .superRefine((app, ctx) => {
        if ((app.privateKey === undefined) === (app.privateKeyFile === undefined)) {
          ctx.addIssue({ code: "custom", path: ["privateKey"], message: "give privateKey or privateKeyFile (exactly one)" });
        }
      })
      .optional(),
    /** A token (a machine user's personal access token) instead of an App. */
    token: z.string().min(1).optional(),
    /** Watched repositories, `owner/name`; empty: every repository of the App installation. */
    repos: z.array(z.string().regex(/^[\w.-]+\/[\w.-]+$/, "write owner/name")).default([]),
    /** The name people @mention; the App's slug (or the token user's login) by default. */
    mentionName: z.string().regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, "a GitHub login or App slug").optional(),
    /** GitHub login → email, so GitHub users match access allowlists and identity links by email. */
    userMap: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, "a GitHub login"), z.email("an email address")).optional(),
    /** For logins not in userMap, use the public email on their GitHub profile (one API read per login per hour). */
    publicEmails: boolean.default(false),
    /** How often to poll: 15s by default; in webhook mode, the catch-up poll (5m by default). */
    pollInterval: duration.optional(),
    /** How far back each poll reads again, for comments GitHub lists late. */
    pollOverlap: duration.default(60_000),
    /** The webhook's secret; required in webhook mode. */
    webhookSecret: z.string().min(1).optional(),
    /** GitHub Enterprise Server (https://ghe.example.com/api/v3) or the emulator. */
    apiUrl: z.string().url().optional(),
    /** The placeholder comment that the answer replaces. */
    processingText: z.string().min(1).default("Processing…"),
    threadStrategy: threadStrategy.optional(),
    agentSettings: agentSettingsSchema.optional(),
    access: accessSchema.prefault({}),
    enabled: boolean.optional(),
  })
  .superRefine((github, ctx) => {
    if ((github.app === undefined) === (github.token === undefined)) {
      ctx.addIssue({ code: "custom", path: ["app"], message: "give app (id, privateKey, installationId) or token (exactly one)" });
    }
    if (github.token !== undefined && github.repos.length === 0) {
      ctx.addIssue({ code: "custom", path: ["repos"], message: "required with a token (list owner/name); only an App installation can stand for all its repositories" });
    }
    if (github.mode === "webhook" && github.webhookSecret === undefined) {
      ctx.addIssue({ code: "custom", path: ["webhookSecret"], message: "required when mode is webhook (the secret set on the GitHub App's webhook)" });
    }
  });

export const channelSchema = z.discriminatedUnion("type", [httpChannel, webchatChannel, slackChannel, emailChannel, githubChannel, webhookChannelSchema, whatsappChannelSchema, telegramChannelSchema, discordChannelSchema]);

const whenSchema = z
  .strictObject({
    content_match: z.string().optional(),
    source_match: stringOrList.optional(),
    user_match: stringOrList.optional(),
    channel_match: stringOrList.optional(),
    keyword: stringOrList.optional(),
    always: z.literal(true).optional(),
  })
  .refine((w) => Object.values(w).some((v) => v !== undefined), "needs at least one condition");

const thenSchema = z.strictObject({
  agent: z.string().optional(),
  threadStrategy: threadStrategy.optional(),
  threadId: z.string().optional(),
  instruction: z.string().optional(),
});

export const routeSchema = z.strictObject({
  name: z.string().min(1),
  when: whenSchema,
  then: thenSchema,
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    store: z.string().default("sqlite:./.switchboard/switchboard.db"),
    server: z
      .strictObject({
        port: integer(0, 65535).default(8787),
        host: z.string().default("127.0.0.1"),
        bodyLimit: bytes.default(1024 * 1024),
      })
      .prefault({}),
    /** Sliding TTL of an idle session. */
    session_ttl: duration.default(24 * 3_600_000),
    lanes: z
      .strictObject({
        concurrency: integer(1).default(16),
        busy: busyPolicy.default("queue"),
        turnTimeout: duration.default(10 * 60_000),
        maxPendingPerSession: integer(1).default(1000),
        /** On stop, how long running turns may finish before they are aborted (and rerun at the next start). */
        drainTimeout: duration.default(10_000),
        /**
         * Several gateways on one redis store: how long a session's lane outlives the last heartbeat
         * of the gateway running it. A gateway that dies or freezes has its sessions taken over after this.
         */
        leaseTtl: duration.refine((ms) => ms >= 300, "must be at least 300ms").default(10_000),
      })
      .prefault({}),
    outbox: z
      .strictObject({
        maxAttempts: integer(1).default(8),
        baseDelay: duration.default(1000),
        maxDelay: duration.default(5 * 60_000),
      })
      .prefault({}),
    dedupe_ttl: duration.default(7 * 86_400_000),
    defaultAgent: z.string().optional(),
    agents: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "agent ids use letters, digits, . _ -"), agentSchema).default({}),
    channels: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/, "channel ids use letters, digits, _ -"), channelSchema)
      .default({}),
    routes: z.array(routeSchema).default([]),
    /** People, keyed by sender id, email or linked user: their agent settings and Unix user. */
    users: z.record(z.string(), userSchema).default({}),
    /** One person's ids across platforms, as one gateway user: `<channel id>:<sender id>` or an email. */
    identityLinks: z.record(z.string().regex(/^[A-Za-z0-9_.@-]+$/, "user names use letters, digits, . _ - @"), z.array(z.string().min(1)).min(1)).default({}),
    /** Rate limits, the loop guard and size caps; per-channel overrides under `channels`. */
    limits: limitsSchema,
    /** The master key that encrypts secrets kept in the store (generated channel keys). */
    secrets: secretsSchema,
    /** The management API's admin token; without one, /v1/sessions and /v1/pairing are off. */
    admin: adminSchema,
    /** When agents speak first: cron, one-shot and interval runs whose answer goes to a target. */
    schedules: schedulesSchema,
    /** `GET /metrics` in Prometheus format. */
    metrics: metricsSchema,
    /** OpenTelemetry traces of ingress → turn → egress; off by default. */
    tracing: tracingSchema,
  })
  .superRefine((config, ctx) => {
    for (const issue of identityLinkIssues(config.identityLinks)) {
      ctx.addIssue({ code: "custom", path: ["identityLinks", issue.user, issue.index], message: issue.message });
    }
    config.routes.forEach((route, i) => {
      if (route.then.threadStrategy === "existing" && route.then.threadId === undefined) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "then", "threadId"], message: "required when threadStrategy is existing" });
      }
      if (route.when.content_match !== undefined) {
        try {
          new RegExp(route.when.content_match, "i");
        } catch (err) {
          ctx.addIssue({ code: "custom", path: ["routes", i, "when", "content_match"], message: `invalid regex: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "")}` });
        }
      }
    });
  });

/**
 * References to agents, checked apart from the schema because agents may also be added in code
 * (`gateway.addAgent`) before the gateway starts.
 */
export function agentReferenceIssues(config: SwitchboardConfig, agentIds: readonly string[], channelIds: readonly string[] = Object.keys(config.channels)): string[] {
  const issues: string[] = [];
  if (config.defaultAgent !== undefined && !agentIds.includes(config.defaultAgent)) {
    issues.push(`defaultAgent: unknown agent "${config.defaultAgent}" (known: ${agentIds.join(", ") || "none"})`);
  }
  config.routes.forEach((route, i) => {
    if (route.then.agent !== undefined && !agentIds.includes(route.then.agent)) {
      issues.push(`routes.${i}.then.agent: unknown agent "${route.then.agent}"`);
    }
  });
  issues.push(...scheduleReferenceIssues(config.schedules, agentIds, channelIds));
  issues.push(...gatewayToolsIssues(config.agents, channelIds));
  return issues;
}

export type SwitchboardConfigInput = z.input<typeof configSchema>;
export type SwitchboardConfig = z.output<typeof configSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type ChannelConfig = z.output<typeof channelSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type ThreadStrategy = z.output<typeof threadStrategy>;
export type BusyPolicy = z.output<typeof busyPolicy>;
