/** Abuse limits: rate limits and the loop guard (token buckets in the store), size caps, and the text agents read. */
export { abuseGuard, describeRate, type AbuseGuardDeps } from "./accept-guard.ts";
export { agentText, neutralizeMarkers, USER_MESSAGE_OPEN, USER_MESSAGE_CLOSE } from "./agent-text.ts";
export { limitsFor, limitsSchema, parseRate, type ChannelLimits, type LimitsConfig, type LoopGuard, type Rate } from "./config.ts";
export { takeFromBucket, type BucketState, type BucketTake, type BucketVerdict } from "./token-bucket.ts";
