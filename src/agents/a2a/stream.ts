/**
 * Turns what an A2A agent sends back (a Message, a Task, status and artifact updates) into the
 * reply text, streamed as deltas. Agent messages and artifacts are the pieces of the reply, in
 * the order they first appear; a task that fails, is rejected or canceled is an AgentError.
 */
import type { Artifact, Message, Part, StreamResponse, Task, TaskState, TaskStatus } from "@a2a-js/sdk";
import { AgentError } from "../../core/errors.ts";

/** The SDK's TaskState and Role enums, passed in so this module never loads the SDK itself. */
export interface A2aEnums {
  TaskState: typeof TaskState;
  agentRole: number;
}

interface Piece {
  text: string;
  /** An artifact whose last chunk arrived; a new chunk without `append` replaces it. */
  closed: boolean;
}

export class A2aReply {
  contextId: string | undefined;
  taskId: string | undefined;
  /** A Message came, or the task completed or stopped to wait for the user. */
  done = false;
  /** The task waits for the user's answer (input-required or auth-required). */
  waitingForUser = false;
  private readonly enums: A2aEnums;
  private readonly pieces = new Map<string, Piece>();
  /** Artifacts of the answered task from before this turn. */
  private readonly shownBefore = new Set<string>();
  private lastAgentHistoryText = "";
  /** The task this turn's message answers: the stream opens with its stale, still-waiting snapshot. */
  private answering: string | undefined;

  constructor(enums: A2aEnums, options: { answering?: string } = {}) {
    this.enums = enums;
    this.answering = options.answering;
  }

  /** The reply so far: its pieces, separated by blank lines. */
  get text(): string {
    const text = [...this.pieces.values()].map((p) => p.text).filter(Boolean).join("\n\n");
    return text || this.lastAgentHistoryText;
  }

  /** Apply one streamed event; returns the text deltas it adds. */
  apply(response: StreamResponse): string[] {
    const payload = response.payload;
    switch (payload?.$case) {
      case "message":
        return this.applyMessage(payload.value);
      case "task": {
        const stale = payload.value.id === this.answering && this.isWaiting(payload.value.status);
        this.answering = undefined;
        if (stale) {
          // What the task showed before this message was shown in an earlier turn.
          this.noteIds(payload.value.contextId, payload.value.id);
          for (const artifact of payload.value.artifacts) this.shownBefore.add(artifact.artifactId);
          return [];
        }
        return this.applyTask(payload.value);
      }
      case "statusUpdate":
        this.noteIds(payload.value.contextId, payload.value.taskId);
        return payload.value.status ? this.applyStatus(payload.value.status) : [];
      case "artifactUpdate": {
        const { artifact, append, lastChunk } = payload.value;
        this.noteIds(payload.value.contextId, payload.value.taskId);
        return artifact ? this.applyArtifact(artifact, append, lastChunk) : [];
      }
      default:
        throw new AgentError("the A2A agent sent a stream event of an unknown kind");
    }
  }

  /** Apply the result of a blocking SendMessage call. */
  applyResult(result: Message | Task): string[] {
    if ("messageId" in result) return this.applyMessage(result);
    // Some agents leave their answer only in the task's history.
    const agentMessages = result.history.filter((m) => m.role === this.enums.agentRole);
    this.lastAgentHistoryText = textOf(agentMessages.at(-1)?.parts ?? []);
    return this.applyTask(result);
  }

  private applyMessage(message: Message): string[] {
    this.noteIds(message.contextId, message.taskId);
    this.done = true;
    if (message.role !== this.enums.agentRole) return [];
    return this.addPiece(`message:${message.messageId}`, textOf(message.parts));
  }

  /** A task snapshot: the first event of a stream, or a blocking call's result. */
  private applyTask(task: Task): string[] {
    this.noteIds(task.contextId, task.id);
    const deltas: string[] = [];
    for (const artifact of task.artifacts) {
      const seen = this.pieces.has(`artifact:${artifact.artifactId}`) || this.shownBefore.has(artifact.artifactId);
      if (!seen) deltas.push(...this.applyArtifact(artifact, false, true));
    }
    if (task.status) deltas.push(...this.applyStatus(task.status));
    return deltas;
  }

  private isWaiting(status: TaskStatus | undefined): boolean {
    const { TaskState } = this.enums;
    return status?.state === TaskState.TASK_STATE_INPUT_REQUIRED || status?.state === TaskState.TASK_STATE_AUTH_REQUIRED;
  }

  private applyStatus(status: TaskStatus): string[] {
    const { TaskState } = this.enums;
    const message = status.message;
    const said = message ? textOf(message.parts) : "";
    switch (status.state) {
      case TaskState.TASK_STATE_FAILED:
        throw new AgentError(`the A2A agent failed the task${said ? `: ${said}` : ""}`);
      case TaskState.TASK_STATE_REJECTED:
        throw new AgentError(`the A2A agent rejected the task${said ? `: ${said}` : ""}`);
      case TaskState.TASK_STATE_CANCELED:
        throw new AgentError("the A2A agent canceled the task");
      case TaskState.TASK_STATE_COMPLETED:
        this.done = true;
        break;
      case TaskState.TASK_STATE_INPUT_REQUIRED:
      case TaskState.TASK_STATE_AUTH_REQUIRED:
        this.done = true;
        this.waitingForUser = true;
        break;
    }
    if (!message || message.role !== this.enums.agentRole) return [];
    return this.addPiece(`message:${message.messageId}`, said);
  }

  private applyArtifact(artifact: Artifact, append: boolean, lastChunk: boolean): string[] {
    const key = `artifact:${artifact.artifactId}`;
    const text = textOf(artifact.parts);
    const existing = this.pieces.get(key);
    let deltas: string[];
    if (existing && (append || !existing.closed)) {
      // A chunk of an artifact in progress: the spec says `append`, some agents only send lastChunk.
      deltas = this.extend(existing, text);
    } else if (existing) {
      // A closed artifact sent again without `append` replaces the earlier one.
      this.pieces.delete(key);
      deltas = this.addPiece(key, text);
    } else {
      deltas = this.addPiece(key, text);
    }
    const piece = this.pieces.get(key);
    if (piece && lastChunk) piece.closed = true;
    return deltas;
  }

  /** A new piece of the reply; one already seen (the same message id twice) adds nothing. */
  private addPiece(key: string, text: string): string[] {
    if (this.pieces.has(key)) return [];
    const piece: Piece = { text: "", closed: false };
    this.pieces.set(key, piece);
    return this.extend(piece, text);
  }

  private extend(piece: Piece, text: string): string[] {
    if (!text) return [];
    const separated = piece.text === "" && [...this.pieces.values()].some((p) => p !== piece && p.text !== "");
    piece.text += text;
    return [separated ? `\n\n${text}` : text];
  }

  private noteIds(contextId: string, taskId: string): void {
    if (contextId) this.contextId = contextId;
    if (taskId) this.taskId = taskId;
  }
}

/** The text parts of a message or artifact; files and data parts are not text for a chat. */
function textOf(parts: readonly Part[]): string {
  return parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
}
