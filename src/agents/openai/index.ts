/**
 * The `openai` agent: any Chat Completions-compatible endpoint (OpenAI, Ollama, vLLM,
 * llama.cpp, OpenRouter) through the official SDK. Replies stream as they arrive; with
 * `delegates`, the model may hand tasks to other agents, each in its own sub-session, and gets
 * their replies back as tool results before it answers; the tools of MCP servers in the turn's
 * settings (`mcpServers` entries with a url, such as the gateway's own) are offered the same way.
 */
import type OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming, ChatCompletionFunctionTool, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { Agent, AgentEvent, TurnInput } from "../../core/agent.ts";
import { AgentError } from "../../core/errors.ts";
import { createClient, describeFailure } from "./client.ts";
import { openaiDefaults, type OpenaiAgentConfig } from "./config.ts";
import { buildMessages } from "./messages.ts";
import { readCompletion, type CompletionRound } from "./stream.ts";
import { delegateTools, MAX_NAME_LENGTH, runToolCall } from "./tools.ts";
import { mcpDefinitions, runMcpToolCall } from "./mcp.ts";
import { withMcpToolbox, type McpToolbox } from "../../mcp/client/index.ts";

export { openaiAgentSchema, openaiDefaults, type OpenaiAgentConfig } from "./config.ts";
export { delegateToolName } from "./tools.ts";

export interface OpenaiAgentContext {
  baseDir: string;
  /** Ids of all configured agents, to check `delegates` against. */
  agents: () => string[];
}

export function createOpenaiAgent(id: string, config: OpenaiAgentConfig, context: OpenaiAgentContext): Agent {
  const tools = delegateTools(id, config.delegates ?? [], context.agents());
  const maxToolRounds = config.maxToolRounds ?? openaiDefaults.maxToolRounds;
  let client: Promise<OpenAI> | undefined;

  return {
    id,
    kind: "openai",
    async *run(input: TurnInput): AsyncIterable<AgentEvent> {
      const model = input.settings.model ?? config.model;
      if (!model) throw new AgentError(`agents.${id}.model is not set, and no channel or user setting names a model`);
      client ??= createClient(config).catch((error: unknown) => {
        client = undefined;
        throw error;
      });
      const api = await client;
      const messages = buildMessages(input, { system: config.system, contextBudget: config.contextBudget ?? openaiDefaults.contextBudget });
      const options = { agentId: id, signal: input.signal, maxNameLength: MAX_NAME_LENGTH, reserved: tools.map((t) => t.name) };
      yield* withMcpToolbox(input.settings.mcpServers, options, (toolbox) => runRounds(api, model, messages, toolbox, input));
    },
  };

  async function* runRounds(api: OpenAI, model: string, messages: ChatCompletionMessageParam[], toolbox: McpToolbox | undefined, input: TurnInput): AsyncGenerator<AgentEvent> {
    const definitions = [...tools.map((t) => t.definition), ...mcpDefinitions(toolbox)];
    const mcpNames = toolbox?.tools.map((t) => t.name) ?? [];
    for (let round = 0; ; round++) {
      // After the last allowed round of tool calls, the model must answer in words.
      const request = requestBody(config, model, messages, definitions, round >= maxToolRounds);
      let result: CompletionRound;
      try {
        const stream = await api.chat.completions.create(request, { signal: input.signal });
        result = yield* readCompletion(stream, input.signal);
      } catch (error) {
        if (input.signal.aborted) return;
        throw await describeFailure(error, config);
      }
      if (input.signal.aborted) return;

      if (result.toolCalls.length === 0) {
        if (result.text === "") throw new AgentError(`the model answered with no text (finish_reason: ${result.finishReason})`);
        yield { type: "message", text: result.text };
        return;
      }
      if (round >= maxToolRounds) throw new AgentError(`the model still called tools after ${maxToolRounds} rounds (agents.${id}.maxToolRounds)`);

      messages.push({
        role: "assistant",
        content: result.text || null,
        tool_calls: result.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
      });
      for (const call of result.toolCalls) {
        yield { type: "tool.start", id: call.id, name: call.name, input: parseOrRaw(call.arguments) };
        const outcome = toolbox?.has(call.name) ? await runMcpToolCall(call, toolbox, input.signal) : await runToolCall(call, tools, input, mcpNames);
        if (input.signal.aborted) return;
        yield { type: "tool.end", id: call.id, name: call.name, output: outcome.output, isError: outcome.isError };
        messages.push({ role: "tool", tool_call_id: call.id, content: outcome.result });
      }
    }
  }
}

function requestBody(
  config: OpenaiAgentConfig,
  model: string,
  messages: ChatCompletionMessageParam[],
  tools: ChatCompletionFunctionTool[],
  lastRound: boolean,
): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = { model, messages, stream: true };
  if (tools.length > 0) {
    body.tools = tools;
    if (lastRound) body.tool_choice = "none";
  }
  if (config.temperature !== undefined) body.temperature = config.temperature;
  if (config.maxTokens !== undefined) {
    // OpenAI's newer models take only max_completion_tokens; compatible servers know max_tokens.
    if (isOpenAi(config)) body.max_completion_tokens = config.maxTokens;
    else body.max_tokens = config.maxTokens;
  }
  return body;
}

function isOpenAi(config: OpenaiAgentConfig): boolean {
  try {
    return new URL(config.baseUrl ?? openaiDefaults.baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

function parseOrRaw(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
