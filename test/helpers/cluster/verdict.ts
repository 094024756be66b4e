/**
 * What a cluster run must show, computed from the three records (the sender's accepts, the
 * agent's turns, the receiver's callbacks): each check returns its violations, so a failing
 * test names the messages and sessions concerned rather than a bare count.
 */
import { ackText, type TurnRecord } from "./recording-agent.ts";
import type { Delivery } from "./reply-receiver.ts";
import type { SendRecord } from "./sender.ts";

export interface AnswerProblems {
  /** Accepted messages without any answer. */
  unanswered: string[];
  /** Messages with more than one distinct answer (two turns committed them). */
  answeredTwice: Array<{ id: string; keys: string[] }>;
  /** Answers whose text is not the agent's answer to that message. */
  wrongText: Array<{ id: string; text: string }>;
  /** Answers to ids that were never sent. */
  strays: string[];
}

export function answerProblems(sends: SendRecord[], distinct: Map<string, Delivery>): AnswerProblems {
  const keysById = new Map<string, Delivery[]>();
  const strays: string[] = [];
  const sent = new Set(sends.map((s) => s.id));
  for (const delivery of distinct.values()) {
    if (delivery.inReplyTo === null || !sent.has(delivery.inReplyTo)) {
      strays.push(delivery.key);
      continue;
    }
    const list = keysById.get(delivery.inReplyTo) ?? [];
    list.push(delivery);
    keysById.set(delivery.inReplyTo, list);
  }
  const problems: AnswerProblems = { unanswered: [], answeredTwice: [], wrongText: [], strays };
  for (const { id } of sends) {
    const answers = keysById.get(id) ?? [];
    if (answers.length === 0) problems.unanswered.push(id);
    if (answers.length > 1) problems.answeredTwice.push({ id, keys: answers.map((a) => a.key) });
    // The default `queue` busy policy gives each message a turn of its own.
    for (const answer of answers) if (answer.text !== ackText([id])) problems.wrongText.push({ id, text: answer.text });
  }
  return problems;
}

/** A session's turn attempts in the order the agent saw them start. */
export function attemptsBySession(turns: TurnRecord[]): Map<string, TurnRecord[]> {
  const bySession = new Map<string, TurnRecord[]>();
  for (const turn of turns) {
    const list = bySession.get(turn.session) ?? [];
    list.push(turn);
    bySession.set(turn.session, list);
  }
  for (const list of bySession.values()) list.sort((a, b) => a.start - b.start);
  return bySession;
}

/**
 * Per session, the messages the agent saw, turn after turn, must be the send order. A turn run
 * again right after an attempt the kill cut off counts once (the rerun check judges it).
 */
export function orderProblems(sends: SendRecord[], turns: TurnRecord[]): Array<{ session: string; sent: string[]; seen: string[] }> {
  const sentBySession = new Map<string, string[]>();
  for (const send of sends) sentBySession.set(send.sessionId, [...(sentBySession.get(send.sessionId) ?? []), send.id]);
  const attempts = attemptsBySession(turns);
  const problems: Array<{ session: string; sent: string[]; seen: string[] }> = [];
  for (const [session, sent] of sentBySession) {
    const seen: string[] = [];
    let previousTurn: string | undefined;
    for (const attempt of attempts.get(session) ?? []) {
      if (attempt.turn !== previousTurn) seen.push(...attempt.texts);
      previousTurn = attempt.turn;
    }
    if (seen.join(",") !== sent.join(",")) problems.push({ session, sent, seen });
  }
  return problems;
}

/** Two turn attempts of one session whose [start, end] intervals overlap: two turns at once. */
export function overlapProblems(turns: TurnRecord[]): Array<{ session: string; first: TurnRecord; second: TurnRecord }> {
  const problems: Array<{ session: string; first: TurnRecord; second: TurnRecord }> = [];
  for (const [session, list] of attemptsBySession(turns)) {
    let longest: TurnRecord | undefined;
    for (const attempt of list) {
      if (longest && attempt.start < longest.end) problems.push({ session, first: longest, second: attempt });
      if (!longest || attempt.end > longest.end) longest = attempt;
    }
  }
  return problems;
}

/**
 * A turn may run twice only when its earlier attempts were on the instance that was killed and
 * the kill cut them off: they started before its exit was seen, or it hung up on them (the
 * agent may read a request the instance sent just before it died after seeing the exit). Any
 * other repeat means two instances took the same turn.
 */
export function rerunProblems(turns: TurnRecord[], killed: string, exitSeenAt: number): Array<{ turn: string; attempts: TurnRecord[] }> {
  const byTurn = new Map<string, TurnRecord[]>();
  for (const turn of turns) byTurn.set(turn.turn, [...(byTurn.get(turn.turn) ?? []), turn]);
  const problems: Array<{ turn: string; attempts: TurnRecord[] }> = [];
  for (const [turn, attempts] of byTurn) {
    if (attempts.length < 2) continue;
    attempts.sort((a, b) => a.start - b.start);
    const cutByKill = attempts.slice(0, -1).every((a) => a.gateway === killed && (a.start < exitSeenAt || a.outcome === "hung-up"));
    if (!cutByKill) problems.push({ turn, attempts });
  }
  return problems;
}

export interface Takeovers {
  /** Sessions with a turn that the killed instance started and another instance ran again. */
  sessions: number;
  /** Longest time from the kill to such a rerun starting. */
  slowestMs: number;
}

export function takeovers(turns: TurnRecord[], killed: string, killedAt: number): Takeovers {
  let sessions = 0;
  let slowestMs = 0;
  for (const list of attemptsBySession(turns).values()) {
    const cut = list.filter((a) => a.gateway === killed).at(-1);
    const rerun = cut && list.find((a) => a.turn === cut.turn && a.gateway !== killed);
    if (!rerun) continue;
    sessions++;
    slowestMs = Math.max(slowestMs, rerun.start - killedAt);
  }
  return { sessions, slowestMs };
}
