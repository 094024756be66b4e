/**
 * Hidden markers in the comments the channel posts. GitHub renders HTML comments as nothing, so
 * each posted comment can say which mention or which outbox item it belongs to; after a crash
 * between posting and recording the post, the channel finds the comment again instead of
 * posting it twice. They also mark the comments as ours, so they are never answered.
 */

const prefix = "<!-- switchboard:";

export function processingMarker(commentKey: string): string {
  return `${prefix}processing:${commentKey} -->`;
}

export function replyMarker(idempotencyKey: string): string {
  return `${prefix}reply:${idempotencyKey} -->`;
}

export function withMarker(text: string, marker: string): string {
  return `${text}\n\n${marker}`;
}

export function hasMarker(body: string): boolean {
  return body.includes(prefix);
}

/** Room the marker takes in a comment: GitHub's limit is 65,536 characters. */
export const MAX_COMMENT_LENGTH = 65_536 - 200;
