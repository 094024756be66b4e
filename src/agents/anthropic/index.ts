/**
 * The `anthropic` agent: Claude through the Messages API with streaming. Each turn sends the
 * trimmed transcript and the new message; delegates and the tools of the turn's MCP servers
 * (`mcpServers` entries with a url, such as the gateway's own) are offered as tools, and tool
 * rounds loop (the model's tool calls run, their results go back) until the model answers in text.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming, MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import { anthropicDefaults, type AnthropicAgentConfig } from "./config.ts";
import { createClient, toAgentError } from "./client.ts";
import { buildMessages } from "./messages.ts";
import { readRound, type RoundResult } from "./stream.ts";
import { checkDelegates, delegateTools, runToolCall } from "./tools.ts";
import { MAX_TOOL_NAME_LENGTH, mcpTools, runMcpToolCall } from "./mcp.ts";
import { withMcpToolbox, type McpToolbox } from "../../mcp/client/index.ts";

export { anthropicAgentSchema, anthropicDefaults, type AnthropicAgentConfig } from "./config.ts";

export interface AgentContext {
  baseDir: string;
  /** Ids of all configured agents, to check `delegates` against. */
  agents: () => string[];
}

export function createAnthropicAgent(id: string, config: AnthropicAgentConfig, context: AgentContext): Agent {
  const delegates = config.delegates ?? [];
  checkDelegates(id, delegates, context.agents());
  const baseUrl = config.baseUrl ?? anthropicDefaults.baseUrl;
  const maxToolRounds = config.maxToolRounds ?? anthropicDefaults.maxToolRounds;
  const tools = delegateTools(delegates);
  let client: Promise<Anthropic> | undefined;

  return {
    id,
    kind: "anthropic",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const model = input.settings?.model ?? config.model;
      if (!model) throw new AgentError(`agents.${id}: no model is set (set "model" in its config, or in the channel's or user's agent settings)`);
      client ??= createClient({ apiKey: config.apiKey, baseUrl, maxRetries: config.maxRetries ?? anthropicDefaults.maxRetries }).catch((error: unknown) => {
        client = undefined; // let a later turn try again
        throw error;
      });
      const api = await client;
      const messages: MessageParam[] = buildMessages({
        transcript: input.transcript,
        text: input.text,
        system: config.system,
        budget: config.contextBudget ?? anthropicDefaults.contextBudget,
      });

      const options = { agentId: id, signal: input.signal, maxNameLength: MAX_TOOL_NAME_LENGTH, reserved: tools.map((t) => t.name) };
      yield* withMcpToolbox(input.settings?.mcpServers, options, (toolbox) => runRounds(api, model, messages, toolbox, input));
    },
  };

  async function* runRounds(api: Anthropic, model: string, messages: MessageParam[], toolbox: McpToolbox | undefined, input: TurnInput): AsyncGenerator<AgentEvent> {
    const offered: Tool[] = [...tools, ...mcpTools(toolbox)];
    for (let round = 0; ; round++) {
      // After the last allowed tool round the model must answer in text.
      const lastRound = round >= maxToolRounds;
      const request: MessageCreateParamsStreaming = {
        model,
        max_tokens: config.maxTokens ?? anthropicDefaults.maxTokens,
        messages,
        stream: true,
        ...(config.system ? { system: config.system } : {}),
        ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
        ...(offered.length > 0 ? { tools: offered } : {}),
        ...(offered.length > 0 && lastRound ? { tool_choice: { type: "none" as const } } : {}),
      };
      let result: RoundResult;
      try {
        const stream = await api.messages.create(request, { signal: input.signal });
        result = yield* readRound(stream, input.signal);
      } catch (error) {
        if (input.signal.aborted) return;
        throw await toAgentError(error, baseUrl);
      }
      if (input.signal.aborted) return;

      if (result.stopReason !== "tool_use" || result.toolCalls.length === 0) {
        if (!result.text) throw new AgentError(`the model returned no text (stop_reason ${result.stopReason ?? "none"})`);
        yield { type: "message", text: result.text };
        return;
      }
      if (lastRound) throw new AgentError(`the model still called tools after ${maxToolRounds} tool rounds`);

      messages.push({
        role: "assistant",
        content: [
          ...(result.text ? [{ type: "text" as const, text: result.text }] : []),
          ...result.toolCalls.map((call) => ({ type: "tool_use" as const, id: call.id, name: call.name, input: isObject(call.input) ? call.input : {} })),
        ],
      });
      const results = [];
      for (const call of result.toolCalls) {
        results.push(toolbox?.has(call.name) ? yield* runMcpToolCall(call, toolbox, input.signal) : yield* runToolCall(call, delegates, input));
        if (input.signal.aborted) return;
      }
      messages.push({ role: "user", content: results });
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
