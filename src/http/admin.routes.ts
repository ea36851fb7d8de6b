/**
 * /admin: operator API over accounts, numbers and keys, behind `Bearer ADMIN_TOKEN`.
 * With no ADMIN_TOKEN configured the whole surface answers 404, as if it did not exist.
 */
import type { MiddlewareHandler } from "hono";
import {
  accountDetail,
  accountsNamed,
  addNumber,
  changeAccount,
  changeKey,
  createAccount,
  createKey,
  revoke,
  rotateWebhookSecret,
} from "../app/admin";
import { sameSecret } from "../lib/crypto";
import {
  addNumberRoute,
  changeAccountRoute,
  changeKeyRoute,
  createAccountRoute,
  createKeyRoute,
  findAccountsRoute,
  getAccountRoute,
  revokeKeyRoute,
  rotateSecretRoute,
} from "./admin.contracts";
import { ApiError, orThrow } from "./api-error";
import type { AppEnv } from "./app-env";
import { createRouter } from "./validate";

const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.get("config").adminToken;
  if (!expected) throw new ApiError("not_found");
  const given = /^Bearer\s+(\S+)\s*$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!(await sameSecret(given, expected))) throw new ApiError("unauthorized");
  await next();
};

// Every validation failure here is invalid_request: the router's default hook.
export const adminRoutes = createRouter();

adminRoutes.use(requireAdmin);

adminRoutes.openapi(createAccountRoute, async (c) => {
  const { name, minuteCap, callingPolicy } = c.req.valid("json");
  return c.json(
    orThrow(await createAccount(c.get("db"), name, minuteCap ?? null, callingPolicy)),
    201,
  );
});

adminRoutes.openapi(findAccountsRoute, async (c) =>
  c.json({ accounts: orThrow(await accountsNamed(c.get("db"), c.req.valid("query").name)) }, 200),
);

adminRoutes.openapi(getAccountRoute, async (c) =>
  c.json(orThrow(await accountDetail(c.get("db"), c.req.valid("param").id)), 200),
);

adminRoutes.openapi(changeAccountRoute, async (c) => {
  const { minuteCap, callingPolicy } = c.req.valid("json");
  const patch = {
    ...(minuteCap !== undefined ? { minuteCap } : {}),
    ...(callingPolicy !== undefined ? { callingPolicy } : {}),
  };
  return c.json(orThrow(await changeAccount(c.get("db"), c.req.valid("param").id, patch)), 200);
});

adminRoutes.openapi(addNumberRoute, async (c) => {
  const body = c.req.valid("json");
  const detail = orThrow(
    await addNumber(c.get("db"), c.req.valid("param").id, body.number, body.default ?? false),
  );
  return c.json(detail, 201);
});

adminRoutes.openapi(createKeyRoute, async (c) => {
  const config = c.get("config");
  const key = orThrow(
    await createKey(c.get("db"), c.req.valid("param").id, c.req.valid("json"), {
      rateLimit: config.defaultRateLimit,
      voiceProvider: config.voiceProvider,
    }),
  );
  return c.json(key, 201);
});

adminRoutes.openapi(changeKeyRoute, async (c) =>
  c.json(
    orThrow(
      await changeKey(
        c.get("db"),
        c.req.valid("param").id,
        c.req.valid("json"),
        c.get("config").voiceProvider,
      ),
    ),
    200,
  ),
);

adminRoutes.openapi(rotateSecretRoute, async (c) =>
  c.json(orThrow(await rotateWebhookSecret(c.get("db"), c.req.valid("param").id)), 200),
);

adminRoutes.openapi(revokeKeyRoute, async (c) =>
  c.json(orThrow(await revoke(c.get("db"), c.req.valid("param").id)), 200),
);
