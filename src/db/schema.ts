/**
 * D1 tables (drizzle). The SQL in migrations/ is generated from this file with
 * `npx drizzle-kit generate`; never edit an applied migration, add a new one.
 * Timestamps are ISO 8601 UTC strings so they sort and compare as text.
 */
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { ANSWERED_BY_SOURCES } from "../domain/answering";
import { LANGUAGE_SOURCES } from "../domain/call-params";
import { CALL_STATUSES } from "../domain/call-status";
import { CALLING_POLICIES } from "../domain/calling-hours";
import { DNC_SOURCES } from "../domain/do-not-call";
import { WEBHOOK_EVENT_STATUSES, WEBHOOK_EVENT_TYPES } from "../domain/webhook-event";

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Answered minutes allowed per billing period; null means unlimited. */
  minuteCap: integer("minute_cap"),
  /** Billing periods are monthly, counted from this instant. */
  periodAnchor: text("period_anchor").notNull(),
  webhookSecret: text("webhook_secret").notNull(),
  /** The secret before the last rotation; it keeps signing until previousSecretExpiresAt. */
  previousWebhookSecret: text("previous_webhook_secret"),
  previousSecretExpiresAt: text("previous_secret_expires_at"),
  createdAt: text("created_at").notNull(),
  /** Dialed placements allowed to one destination number in any 24 hours. */
  maxCallsPerNumberPerDay: integer("max_calls_per_number_per_day").notNull().default(3),
  /** Calling hours applied at placement (src/domain/calling-hours.ts). */
  callingPolicy: text("calling_policy", { enum: CALLING_POLICIES }).notNull().default("standard"),
  /** Whom the agent says it calls for, when a request names no `onBehalfOf`. */
  displayName: text("display_name"),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** First characters of the key, for display; the key itself is never stored. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key. */
    hash: text("hash").notNull().unique(),
    name: text("name"),
    defaultVoice: text("default_voice"),
    defaultCallerId: text("default_caller_id"),
    /** JSON of the `voicemail` its placements get when they name none ({ action, message }). */
    defaultVoicemail: text("default_voicemail"),
    /** Placements allowed per minute for this key. */
    rateLimit: integer("rate_limit").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);

export const phoneNumbers = sqliteTable(
  "phone_numbers",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    number: text("number").notNull(),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("phone_numbers_account_number_idx").on(t.accountId, t.number)],
);

export const calls = sqliteTable(
  "calls",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    apiKeyId: text("api_key_id").notNull(),
    to: text("to").notNull(),
    callerId: text("caller_id").notNull(),
    objective: text("objective").notNull(),
    context: text("context"),
    /** JSON array of { name, type, description? }. */
    fields: text("fields").notNull().default("[]"),
    webhookUrl: text("webhook_url"),
    voice: text("voice").notNull(),
    language: text("language").notNull(),
    languageSource: text("language_source", { enum: LANGUAGE_SOURCES }).notNull(),
    status: text("status", { enum: CALL_STATUSES }).notNull(),
    summary: text("summary"),
    transcript: text("transcript"),
    /** JSON object keyed by field name. */
    extracted: text("extracted"),
    recordingKey: text("recording_key"),
    providerCallId: text("provider_call_id"),
    answeredBy: text("answered_by"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    endedAt: text("ended_at"),
    durationSec: integer("duration_sec"),
    /** Seconds held against the minute cap while the call is live. */
    reservedSec: integer("reserved_sec").notNull().default(0),
    /** JSON: for each non-null extracted field, the transcript line it came from. */
    extractedEvidence: text("extracted_evidence"),
    /** The service restarted mid-call, so the recording lacks what was only in memory. */
    recordingTruncated: integer("recording_truncated", { mode: "boolean" })
      .notNull()
      .default(false),
    /** Why post-call analysis produced no fields (the call itself is unaffected). */
    analysisError: text("analysis_error"),
    /** Recipient end of speech → first agent audio, over the call's turns. */
    latencyTurns: integer("latency_turns"),
    latencyP50Ms: integer("latency_p50_ms"),
    latencyP95Ms: integer("latency_p95_ms"),
    /** The person's first words ("Hello?") → the agent's first audio after them. */
    latencyFirstReplyMs: integer("latency_first_reply_ms"),
    /** When a scheduled call's alarm dials it; null: dialed at placement. */
    scheduledFor: text("scheduled_for"),
    /** The request's `onBehalfOf` (the name the agent discloses), if it gave one. */
    onBehalfOf: text("on_behalf_of"),
    /** Whether the first agent line carried the disclosure (null until there is one). */
    disclosureSpoken: integer("disclosure_spoken", { mode: "boolean" }),
    disclosureAtMs: integer("disclosure_at_ms"),
    /** JSON of the request's `voicemail` ({ action, message }); null: hang up. */
    voicemail: text("voicemail"),
    /** From the answer to the verdict in answered_by (domain/answering.ts). */
    answeredByMs: integer("answered_by_ms"),
    answeredBySource: text("answered_by_source", { enum: ANSWERED_BY_SOURCES }),
    /** JSON of the VoicemailMessage, when a message was asked for and no person answered. */
    voicemailMessage: text("voicemail_message"),
    /** Issue 15: longest hold allowed (null: the default), and the person a call may go to. */
    maxHoldSec: integer("max_hold_sec"),
    transferTo: text("transfer_to"),
    transferWhen: text("transfer_when"),
    /** Total seconds on hold, once the call ended. */
    holdSec: integer("hold_sec"),
    /** JSON { to, atMs, outcome, durationSec } of a transfer to a person. */
    transfer: text("transfer"),
    /** Seconds the agent's questions to the requester wait; null: questions are off. */
    questionsTimeoutSec: integer("questions_timeout_sec"),
    /** JSON array of the questions the agent asked the requester, with their answers. */
    questions: text("questions"),
    /** The person asked not to be called again (the number went on the do-not-call list). */
    optedOut: integer("opted_out", { mode: "boolean" }).notNull().default(false),
    /** JSON array of the live webhook events asked for (`["transcript"]`); null: none. */
    liveEvents: text("live_events"),
  },
  (t) => [
    index("calls_account_created_idx").on(t.accountId, t.createdAt, t.id),
    index("calls_account_status_created_idx").on(t.accountId, t.status, t.createdAt, t.id),
    // Covering indexes for the minute-cap sums run by every placement and answer: index-only
    // scans, so their cost does not include a table lookup per call of the period.
    index("calls_account_started_duration_idx").on(t.accountId, t.startedAt, t.durationSec),
    index("calls_account_status_reserved_idx").on(t.accountId, t.status, t.reservedSec),
    // The sweeper's look for calls still queued long after placement, across accounts.
    index("calls_status_created_idx").on(t.status, t.createdAt),
    // The per-number frequency cap: an account's calls to one number in the last 24 hours.
    index("calls_account_to_created_idx").on(t.accountId, t.to, t.createdAt),
  ],
);

/** Numbers an account must never call; placement refuses them (`do_not_call`). */
export const doNotCall = sqliteTable(
  "do_not_call",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** E.164, normalised. */
    number: text("number").notNull(),
    reason: text("reason"),
    source: text("source", { enum: DNC_SOURCES }).notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.number] }),
    // The list, most recent first, paged by (createdAt, number).
    index("do_not_call_account_created_idx").on(t.accountId, t.createdAt, t.number),
  ],
);

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    accountId: text("account_id").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of the canonical request body. */
    fingerprint: text("fingerprint").notNull(),
    /** "pending" while the first request runs, then "complete". */
    state: text("state").notNull(),
    callId: text("call_id"),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] })],
);

/** One row per webhook event (stable id = the `webhook-id` on every attempt). */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    callId: text("call_id").notNull(),
    type: text("type", { enum: WEBHOOK_EVENT_TYPES }).notNull(),
    /** The exact JSON body sent on every attempt. */
    payload: text("payload").notNull(),
    /** pending → delivered | failed; no_endpoint when the call has no webhookUrl. */
    status: text("status", { enum: WEBHOOK_EVENT_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    createdAt: text("created_at").notNull(),
    deliveredAt: text("delivered_at"),
    nextAttemptAt: text("next_attempt_at"),
  },
  (t) => [
    index("webhook_events_call_idx").on(t.callId, t.createdAt),
    // The sweeper's look for pending events whose queue message was lost.
    index("webhook_events_status_created_idx").on(t.status, t.createdAt),
  ],
);

/** One row per delivery attempt. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: text("at").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
  },
  (t) => [index("webhook_deliveries_event_idx").on(t.eventId, t.attempt)],
);

/** People who sign in to the dashboard; each belongs to one account. */
export const dashboardUsers = sqliteTable(
  "dashboard_users",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** Lower-cased; one user per email across the deployment. */
    email: text("email").notNull().unique(),
    /** `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url); null until the invite is used. */
    passwordHash: text("password_hash"),
    /** SHA-256 of the one-time set-password token, and when it stops working. */
    inviteTokenHash: text("invite_token_hash"),
    inviteExpiresAt: text("invite_expires_at"),
    createdAt: text("created_at").notNull(),
    lastSignInAt: text("last_sign_in_at"),
  },
  (t) => [
    index("dashboard_users_account_idx").on(t.accountId),
    uniqueIndex("dashboard_users_invite_idx").on(t.inviteTokenHash),
  ],
);

/** Dashboard sessions: only the SHA-256 of the cookie's token is stored. */
export const dashboardSessions = sqliteTable(
  "dashboard_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => dashboardUsers.id),
    createdAt: text("created_at").notNull(),
    lastSeenAt: text("last_seen_at").notNull(),
  },
  (t) => [index("dashboard_sessions_user_idx").on(t.userId)],
);

/** Failed sign-ins counted per subject (`email:…` or `client:…`) over a fixed window. */
export const dashboardSignInFailures = sqliteTable("dashboard_sign_in_failures", {
  subject: text("subject").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: text("window_started_at").notNull(),
});

export type AccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type CallRow = typeof calls.$inferSelect;
export type DncRow = typeof doNotCall.$inferSelect;
export type DashboardUserRow = typeof dashboardUsers.$inferSelect;
