/**
 * The contracts of /admin, the operator API over accounts, numbers and keys. Every body and query
 * that does not fit its schema answers 400 invalid_request.
 */

import { createRoute, z } from "@hono/zod-openapi";
import { VOICEMAIL_ACTIONS } from "../domain/answering";
import { VoicemailRequestSchema } from "../domain/call-schemas";
import { CALLING_POLICIES } from "../domain/calling-hours";
import {
  AddDncBodySchema,
  DncEntrySchema,
  DncListQuerySchema,
  DncListResponseSchema,
} from "../domain/do-not-call";
import type { ErrorToken } from "../domain/error-tokens";
import { ADMIN_TOKEN, errorResponses, jsonResponse, REQUEST_ID } from "./openapi";
import { jsonOnly } from "./validate";

const security = [{ [ADMIN_TOKEN]: [] }];
/** requireAdmin answers 404 when no ADMIN_TOKEN is configured, as if /admin did not exist. */
const ADMIN: ErrorToken[] = ["unauthorized", "not_found", "store_error"];
const BODY: ErrorToken[] = ["invalid_request", "unsupported_media_type", "payload_too_large"];
const BODY_READ: ErrorToken[] = [...BODY, "invalid_json"];

const iso = z.iso.datetime();
const MinuteCap = z.number().int().min(0).nullable();
const MaxCallsPerNumberPerDay = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .describe("Dialed placements allowed to one number in any 24 hours (default 3).");
const CallingPolicy = z.enum(CALLING_POLICIES).openapi({
  description:
    "Calling hours checked at placement: `standard` (8:00–21:00 in the recipient's local time, the default), `strict` (the destination jurisdiction's telemarketing hours) or `off`.",
});
const KeyFields = {
  name: z.string().min(1).max(100).nullish(),
  voice: z.string().min(1).max(64).nullish(),
  callerId: z.string().nullish(),
  rateLimit: z.number().int().min(1).max(10_000).optional(),
  voicemail: VoicemailRequestSchema.nullable()
    .optional()
    .describe("The `voicemail` of this key's placements that name none; null removes it."),
};
const KeyInput = z.object(KeyFields).openapi("KeyInput");

const Key = z
  .object({
    id: z.string(),
    prefix: z.string(),
    name: z.string().nullable(),
    voice: z.string().nullable(),
    callerId: z.string().nullable(),
    voicemail: z
      .object({ action: z.enum(VOICEMAIL_ACTIONS), message: z.string().nullable() })
      .nullable(),
    rateLimit: z.number().int(),
    createdAt: iso,
    revokedAt: iso.nullable(),
    lastUsedAt: iso.nullable(),
  })
  .openapi("Key");
const AccountSummary = z.object({
  id: z.string(),
  name: z.string(),
  minuteCap: z.number().int().nullable(),
  maxCallsPerNumberPerDay: z.number().int(),
  callingPolicy: CallingPolicy,
  createdAt: iso,
});
const Account = AccountSummary.extend({
  displayName: z
    .string()
    .nullable()
    .describe("Whom the agent says it calls for when a placement names no `onBehalfOf`."),
  minutesUsedThisPeriod: z.number().int(),
  periodStart: iso,
  webhookSecret: z.string(),
  previousWebhookSecretExpiresAt: iso.nullable(),
  numbers: z.array(z.object({ number: z.string(), default: z.boolean() })),
  keys: z.array(Key),
}).openapi("Account");

const idParam = (name: string) =>
  z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: name }) });
const AccountId = idParam("acct_0123456789abcdefghij");
const KeyId = idParam("key_0123456789abcdefghij");

const json = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const createAccountRoute = createRoute({
  method: "post",
  path: "/accounts",
  tags: ["Admin"],
  summary: "Create an account",
  security,
  middleware: [jsonOnly] as const,
  request: {
    body: json(
      z.object({
        name: z.string().trim().min(1).max(200),
        minuteCap: MinuteCap.optional(),
        callingPolicy: CallingPolicy.optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      AccountSummary.extend({ webhookSecret: z.string() }),
      "Created, with its webhook signing secret.",
    ),
    ...errorResponses(...ADMIN, ...BODY_READ),
  },
});

export const findAccountsRoute = createRoute({
  method: "get",
  path: "/accounts",
  tags: ["Admin"],
  summary: "Find accounts by name",
  security,
  request: { query: z.object({ name: z.string().min(1) }) },
  responses: {
    200: jsonResponse(z.object({ accounts: z.array(AccountSummary) }), "Accounts with that name."),
    ...errorResponses(...ADMIN, "invalid_request"),
  },
});

export const getAccountRoute = createRoute({
  method: "get",
  path: "/accounts/{id}",
  tags: ["Admin"],
  summary: "An account with its numbers, keys and usage",
  security,
  request: { params: AccountId },
  responses: { 200: jsonResponse(Account, "The account."), ...errorResponses(...ADMIN) },
});

export const updateAccountRoute = createRoute({
  method: "patch",
  path: "/accounts/{id}",
  tags: ["Admin"],
  summary:
    "Change the account's minute cap (null: none), per-number frequency cap or calling policy; omitted settings keep their values",
  security,
  middleware: [jsonOnly] as const,
  request: {
    params: AccountId,
    body: json(
      z.object({
        minuteCap: MinuteCap.optional(),
        maxCallsPerNumberPerDay: MaxCallsPerNumberPerDay.optional(),
        callingPolicy: CallingPolicy.optional(),
        displayName: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .nullable()
          .optional()
          .describe("Whom the agent says it calls for (null: the neutral fallback)."),
      }),
    ),
  },
  responses: {
    200: jsonResponse(Account, "The account."),
    ...errorResponses(...ADMIN, ...BODY_READ),
  },
});

export const addNumberRoute = createRoute({
  method: "post",
  path: "/accounts/{id}/numbers",
  tags: ["Admin"],
  summary: "Add a caller ID number (optionally the default)",
  security,
  middleware: [jsonOnly] as const,
  request: {
    params: AccountId,
    body: json(z.object({ number: z.string(), default: z.boolean().optional() })),
  },
  responses: {
    201: jsonResponse(Account, "The account."),
    ...errorResponses(...ADMIN, ...BODY_READ, "invalid_number"),
  },
});

const KEY_CHECKS: ErrorToken[] = ["invalid_voice", "invalid_caller_id", "caller_id_not_owned"];

export const createKeyRoute = createRoute({
  method: "post",
  path: "/accounts/{id}/keys",
  tags: ["Admin"],
  summary: "Create an API key (the key is shown once)",
  security,
  middleware: [jsonOnly] as const,
  request: { params: AccountId, body: json(KeyInput) },
  responses: {
    201: jsonResponse(Key.extend({ key: z.string() }), "Created; `key` is never shown again."),
    ...errorResponses(...ADMIN, ...BODY_READ, ...KEY_CHECKS),
  },
});

export const changeKeyRoute = createRoute({
  method: "patch",
  path: "/keys/{id}",
  tags: ["Admin"],
  summary: "Change a key's name, defaults or rate limit",
  security,
  middleware: [jsonOnly] as const,
  request: { params: KeyId, body: json(KeyInput) },
  responses: {
    200: jsonResponse(Key, "The key."),
    ...errorResponses(...ADMIN, ...BODY_READ, ...KEY_CHECKS),
  },
});

export const rotateSecretRoute = createRoute({
  method: "post",
  path: "/accounts/{id}/webhook-secret/rotate",
  tags: ["Admin"],
  summary: "Rotate the webhook signing secret (the old one keeps signing for 24 h)",
  security,
  request: { params: AccountId },
  responses: {
    200: jsonResponse(
      z.object({
        id: z.string(),
        webhookSecret: z.string(),
        previousWebhookSecretExpiresAt: iso,
      }),
      "The new secret.",
    ),
    ...errorResponses(...ADMIN),
  },
});

export const revokeKeyRoute = createRoute({
  method: "post",
  path: "/keys/{id}/revoke",
  tags: ["Admin"],
  summary: "Revoke a key; it stops working at once",
  security,
  request: { params: KeyId },
  responses: { 200: jsonResponse(Key, "The revoked key."), ...errorResponses(...ADMIN) },
});

const DncEntry = DncEntrySchema.meta({ id: "DncEntry" });

export const listDncAdminRoute = createRoute({
  method: "get",
  path: "/accounts/{id}/dnc",
  tags: ["Admin"],
  summary: "The account's do-not-call list, most recent first",
  security,
  request: { params: AccountId, query: DncListQuerySchema },
  responses: {
    200: jsonResponse(DncListResponseSchema, "A page of entries."),
    ...errorResponses(...ADMIN, "invalid_request", "invalid_cursor"),
  },
});

export const addDncAdminRoute = createRoute({
  method: "post",
  path: "/accounts/{id}/dnc",
  tags: ["Admin"],
  summary: "Add a number to the account's do-not-call list (200 with the entry if already listed)",
  security,
  middleware: [jsonOnly] as const,
  request: {
    params: AccountId,
    body: json(
      AddDncBodySchema.extend({
        source: z
          .enum(["admin", "recipient_request"])
          .optional()
          .describe("Who asked: `admin` (default) or `recipient_request` (the person called)."),
      }),
    ),
  },
  responses: {
    200: jsonResponse(DncEntry, "Already listed; the stored entry."),
    201: jsonResponse(DncEntry, "Added."),
    ...errorResponses(...ADMIN, ...BODY_READ, "invalid_number"),
  },
});

export const removeDncAdminRoute = createRoute({
  method: "delete",
  path: "/accounts/{id}/dnc/{number}",
  tags: ["Admin"],
  summary: "Remove a number from the account's do-not-call list",
  security,
  request: {
    params: AccountId.extend({
      number: z.string().openapi({
        param: { name: "number", in: "path", description: "URL-encoded E.164." },
        example: "%2B14155550123",
      }),
    }),
  },
  responses: {
    204: { description: "Removed.", headers: REQUEST_ID },
    ...errorResponses(...ADMIN, "invalid_number"),
  },
});

export const createUserRoute = createRoute({
  method: "post",
  path: "/accounts/{id}/users",
  tags: ["Admin"],
  summary: "Invite a dashboard user (or issue a new sign-in link)",
  description:
    "Creates a person of the account who signs in to the dashboard at `/dashboard`, and answers a one-time `signInUrl` (valid 24 h) where they set a password. For an email already on the account, a new link replaces the old one. With `password` (local development and tests), the password is set at once and `signInUrl` is the sign-in page. An email of another account → `invalid_request`.",
  security,
  middleware: [jsonOnly] as const,
  request: {
    params: AccountId,
    body: json(
      z.object({
        email: z.string().max(320),
        password: z.string().min(12).max(256).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      z
        .object({
          id: z.string(),
          accountId: z.string(),
          email: z.string(),
          signInUrl: z.string(),
          signInUrlExpiresAt: iso.nullable(),
        })
        .openapi("DashboardUser"),
      "The user and where they sign in.",
    ),
    ...errorResponses(...ADMIN, ...BODY_READ),
  },
});
