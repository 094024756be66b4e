/**
 * The HTTP interactions endpoint (`POST /channels/<id>`): verifies Discord's Ed25519 signature
 * (401 otherwise), answers PING with PONG, and turns the slash command into an accepted message.
 * Discord waits 3 s for the answer and never retries an interaction, so the command is answered
 * with a deferred response (type 5, "thinking…") once the accept committed; the agent's reply
 * then edits that response through the interaction webhook (egress.ts). When the accept fails or
 * is slow, the user gets an ephemeral message saying so instead of "the application did not respond".
 */
import { InteractionResponseType, InteractionType, MessageFlags } from "discord-api-types/v10";
import { z } from "zod";
import type { ChannelRequest } from "../../core/channel.ts";
import { errorResponse, json, readWebhookBody } from "../../core/http-io.ts";
import type { Logger } from "../../core/log.ts";
import type { DiscordIngest } from "./ingest.ts";
import { parseSlashCommand, type CommandInteraction } from "./inbound.ts";
import type { DiscordSignatureVerifier } from "./signature.ts";

export interface InteractionsEndpointOptions {
  verifier: DiscordSignatureVerifier | undefined;
  ingest: DiscordIngest;
  /** The slash command this channel answers, e.g. `ask`. */
  commandName: string;
  log: () => Logger;
  /** Answer by then whatever happens; under Discord's 3 s. */
  ackBudgetMs?: number;
}

export const interactionAnswers = {
  usage: (command: string) => `Usage: /${command} <your message to the agent>`,
  unknown: (command: string) => `This bot answers /${command} only.`,
  unsupported: "This kind of interaction is not supported.",
  failed: "Sorry, your message could not be taken right now. Please try again in a moment.",
  rejected: (reason: string) => `Sorry, this was not accepted: ${reason}`,
};

const interactionPaths = new Set(["/", "/interactions"]);

/** The fields of an interaction the channel reads, checked: a signed body is still not trusted to have Discord's shape. */
const userShape = z.looseObject({ id: z.string(), username: z.string().optional(), global_name: z.string().nullish() });
const interactionShape = z.looseObject({
  id: z.string(),
  application_id: z.string(),
  token: z.string(),
  type: z.number().int(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.looseObject({ id: z.string(), type: z.number().int(), parent_id: z.string().nullish() }).optional(),
  member: z.looseObject({ nick: z.string().nullish(), user: userShape.optional() }).optional(),
  user: userShape.optional(),
  data: z.looseObject({ name: z.string().optional(), options: z.array(z.looseObject({ name: z.string(), type: z.number().int(), value: z.unknown() })).optional() }).optional(),
});

export class DiscordInteractionsEndpoint {
  private readonly options: InteractionsEndpointOptions;
  private readonly ackBudgetMs: number;

  constructor(options: InteractionsEndpointOptions) {
    this.options = options;
    this.ackBudgetMs = options.ackBudgetMs ?? 2_500;
  }

  async handle({ request, subpath, bodyLimit }: ChannelRequest): Promise<Response> {
    if (!interactionPaths.has(subpath)) return errorResponse(404, `no route ${request.method} ${subpath} on this Discord channel (Discord posts interactions to /)`);
    const { verifier } = this.options;
    if (!verifier) return errorResponse(404, "this Discord channel takes no HTTP interactions: set publicKey to enable them");
    const raw = await readWebhookBody(request, bodyLimit, "Discord interactions");
    if (raw instanceof Response) return raw;
    const verdict = verifier.verify(request.headers, raw);
    if (!verdict.ok) {
      this.options.log().warn("Discord interaction refused", { reason: verdict.reason });
      return errorResponse(401, `invalid request signature: ${verdict.reason}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      return errorResponse(400, "malformed JSON");
    }
    const interaction = interactionShape.safeParse(body);
    if (!interaction.success) {
      const issue = interaction.error.issues[0];
      return errorResponse(400, `not an interaction: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim());
    }
    return json(await this.answer(interaction.data as CommandInteraction));
  }

  /**
   * The interaction response for any interaction, however it arrived (HTTP, or the gateway's
   * INTERACTION_CREATE when no endpoint URL is set); never throws.
   */
  async answer(interaction: CommandInteraction): Promise<InteractionResponse> {
    switch (interaction.type) {
      case InteractionType.Ping:
        return { type: InteractionResponseType.Pong };
      case InteractionType.ApplicationCommand:
        return this.command(interaction);
      case InteractionType.ApplicationCommandAutocomplete:
        return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } };
      case InteractionType.MessageComponent:
        return { type: InteractionResponseType.DeferredMessageUpdate };
      default:
        return ephemeral(interactionAnswers.unsupported);
    }
  }

  private async command(interaction: CommandInteraction): Promise<InteractionResponse> {
    const command = parseSlashCommand(interaction);
    if ("error" in command) return ephemeral(interactionAnswers.unsupported);
    if (command.name !== this.options.commandName) return ephemeral(interactionAnswers.unknown(this.options.commandName));
    if (!command.text) return ephemeral(interactionAnswers.usage(this.options.commandName));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<InteractionResponse>((resolve) => {
      timer = setTimeout(() => {
        this.options.log().warn("Discord interaction not accepted within the ack budget", { budgetMs: this.ackBudgetMs });
        resolve(ephemeral(interactionAnswers.failed));
      }, this.ackBudgetMs);
    });
    const work = this.options.ingest.command(command).then(
      (outcome): InteractionResponse =>
        outcome.status === "rejected" ? ephemeral(interactionAnswers.rejected(outcome.reason)) : { type: InteractionResponseType.DeferredChannelMessageWithSource },
      (error: unknown) => {
        this.options.log().error("Discord interaction could not be accepted", { error });
        return ephemeral(interactionAnswers.failed);
      },
    );
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The body of an interaction response (`{type, data?}`). */
export interface InteractionResponse {
  type: number;
  data?: Record<string, unknown>;
}

/** An immediate answer only the person who ran the command sees. */
function ephemeral(content: string): InteractionResponse {
  return { type: InteractionResponseType.ChannelMessageWithSource, data: { content, flags: MessageFlags.Ephemeral } };
}
