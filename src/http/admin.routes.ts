/**
 * /admin: operator API over accounts, numbers and keys, behind `Bearer ADMIN_TOKEN`.
 * With no ADMIN_TOKEN configured the whole surface answers 404, as if it did not exist.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import {
  accountDetail,
  accountsNamed,
  addNumber,
  changeKey,
  createAccount,
  createKey,
  revoke,
  rotateWebhookSecret,
  setMinuteCap,
} from "../admin/admin.service";
import { ApiError } from "../errors";
import type { AppEnv } from "./app-env";
import { jsonOnly, validate } from "./validate";

const invalid = () => "invalid_request" as const;

const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.get("config").adminToken;
  if (!expected) throw new ApiError("not_found");
  const given = /^Bearer\s+(\S+)\s*$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!(await sameSecret(given, expected))) throw new ApiError("unauthorized");
  await next();
};

/** Compares digests so the comparison takes the same time whatever the input. */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

const MinuteCap = z.number().int().min(0).nullable();
const KeyFields = {
  name: z.string().min(1).max(100).nullish(),
  voice: z.string().min(1).max(64).nullish(),
  callerId: z.string().nullish(),
  rateLimit: z.number().int().min(1).max(10_000).optional(),
};

export const adminRoutes = new Hono<AppEnv>()
  .use(requireAdmin)
  .post(
    "/accounts",
    jsonOnly,
    validate(
      "json",
      z.object({ name: z.string().trim().min(1).max(200), minuteCap: MinuteCap.optional() }),
      invalid,
    ),
    async (c) => {
      const { name, minuteCap } = c.req.valid("json");
      return c.json(await createAccount(c.get("db"), name, minuteCap ?? null), 201);
    },
  )
  .get("/accounts", validate("query", z.object({ name: z.string().min(1) }), invalid), async (c) =>
    c.json({ accounts: await accountsNamed(c.get("db"), c.req.valid("query").name) }),
  )
  .get("/accounts/:id", async (c) => c.json(await accountDetail(c.get("db"), c.req.param("id"))))
  .patch(
    "/accounts/:id",
    jsonOnly,
    validate("json", z.object({ minuteCap: MinuteCap }), invalid),
    async (c) =>
      c.json(await setMinuteCap(c.get("db"), c.req.param("id"), c.req.valid("json").minuteCap)),
  )
  .post(
    "/accounts/:id/numbers",
    jsonOnly,
    validate("json", z.object({ number: z.string(), default: z.boolean().optional() }), invalid),
    async (c) => {
      const body = c.req.valid("json");
      const detail = await addNumber(
        c.get("db"),
        c.req.param("id"),
        body.number,
        body.default ?? false,
      );
      return c.json(detail, 201);
    },
  )
  .post(
    "/accounts/:id/keys",
    jsonOnly,
    validate("json", z.object(KeyFields), invalid),
    async (c) => {
      const config = c.get("config");
      const key = await createKey(c.get("db"), c.req.param("id"), c.req.valid("json"), {
        rateLimit: config.defaultRateLimit,
        voiceProvider: config.voiceProvider,
      });
      return c.json(key, 201);
    },
  )
  .patch("/keys/:id", jsonOnly, validate("json", z.object(KeyFields), invalid), async (c) =>
    c.json(
      await changeKey(
        c.get("db"),
        c.req.param("id"),
        c.req.valid("json"),
        c.get("config").voiceProvider,
      ),
    ),
  )
  .post("/accounts/:id/webhook-secret/rotate", async (c) =>
    c.json(await rotateWebhookSecret(c.get("db"), c.req.param("id"))),
  )
  .post("/keys/:id/revoke", async (c) => c.json(await revoke(c.get("db"), c.req.param("id"))));
