/**
 * The slash command people use to ask the agent, `/ask prompt:<text>` by default. Creating a
 * global command with an existing name updates it in place (Discord's upsert), so registering on
 * every start is harmless and leaves the app's other commands alone.
 */
import type { REST } from "@discordjs/rest";
import { ApplicationCommandOptionType, ApplicationCommandType, Routes } from "discord-api-types/v10";

/** The command as Discord stores it: usable in servers and in DMs with the bot. */
export function commandDefinition(name: string): Record<string, unknown> {
  return {
    name,
    type: ApplicationCommandType.ChatInput,
    description: "Ask the agent",
    options: [{ type: ApplicationCommandOptionType.String, name: "prompt", description: "Your message to the agent", required: true }],
    contexts: [0, 1],
  };
}

export async function registerCommand(rest: REST, options: { applicationId: string | undefined; name: string }): Promise<void> {
  const applicationId = options.applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  await rest.post(Routes.applicationCommands(applicationId), { body: commandDefinition(options.name) });
}
