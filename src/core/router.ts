/**
 * Routing: ordered rules, first match wins. A rule's `when` holds one or more conditions, all of
 * which must match; `then` names the agent, thread strategy and instruction. When no rule
 * matches, the default agent takes the message with the channel's default strategy.
 */
import type { Envelope } from "./envelope.ts";

export type ThreadStrategy = "new" | "per_user" | "per_channel" | "per_session" | "singleton" | "existing";

export interface RouteConditions {
  /** Regex on the text, case-insensitive. */
  content_match?: string;
  /** The channel type: `http`, `webchat`, `slack`, … */
  source_match?: string | string[];
  /** Sender id or email. */
  user_match?: string | string[];
  /** The configured channel id, or the platform room / conversation id. */
  channel_match?: string | string[];
  /** Any of these words, case-insensitive, as whole words. */
  keyword?: string | string[];
  always?: true;
}

export interface RouteActions {
  agent?: string;
  threadStrategy?: ThreadStrategy;
  /** Session id for the `existing` strategy. */
  threadId?: string;
  /** Prepended to the message text before the agent sees it. */
  instruction?: string;
}

export interface RouteRule {
  name: string;
  when: RouteConditions;
  then: RouteActions;
}

export interface RouteDecision {
  /** Name of the matching rule; undefined for the fallback. */
  rule: string | undefined;
  agent: string;
  /** Undefined means the channel's default (per user in DMs, per thread elsewhere). */
  threadStrategy: ThreadStrategy | undefined;
  threadId: string | undefined;
  instruction: string | undefined;
}

type Predicate = (env: Envelope) => boolean;

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compileConditions(when: RouteConditions): Predicate {
  const tests: Predicate[] = [];
  if (when.content_match !== undefined) {
    const re = new RegExp(when.content_match, "i");
    tests.push((env) => re.test(env.text));
  }
  if (when.source_match !== undefined) {
    const sources = new Set(list(when.source_match));
    tests.push((env) => sources.has(env.source));
  }
  if (when.user_match !== undefined) {
    const users = new Set(list(when.user_match));
    tests.push((env) => users.has(env.sender.id) || (env.sender.email !== undefined && users.has(env.sender.email)));
  }
  if (when.channel_match !== undefined) {
    const channels = new Set(list(when.channel_match));
    tests.push((env) => channels.has(env.channel) || channels.has(env.conversation.id));
  }
  if (when.keyword !== undefined) {
    const re = new RegExp(`(^|[^\\p{L}\\p{N}_])(${list(when.keyword).map(escapeRegex).join("|")})($|[^\\p{L}\\p{N}_])`, "iu");
    tests.push((env) => re.test(env.text));
  }
  // `always` adds no test: a rule whose only condition is `always` matches everything.
  return (env) => tests.every((t) => t(env));
}

export class Router {
  private readonly rules: Array<{ rule: RouteRule; matches: Predicate }>;
  private readonly defaultAgent: string;

  constructor(rules: readonly RouteRule[], defaultAgent: string) {
    this.rules = rules.map((rule) => ({ rule, matches: compileConditions(rule.when) }));
    this.defaultAgent = defaultAgent;
  }

  route(env: Envelope): RouteDecision {
    for (const { rule, matches } of this.rules) {
      if (!matches(env)) continue;
      return {
        rule: rule.name,
        agent: rule.then.agent ?? this.defaultAgent,
        threadStrategy: rule.then.threadStrategy ?? (rule.then.threadId !== undefined ? "existing" : undefined),
        threadId: rule.then.threadId,
        instruction: rule.then.instruction,
      };
    }
    return { rule: undefined, agent: this.defaultAgent, threadStrategy: undefined, threadId: undefined, instruction: undefined };
  }
}
