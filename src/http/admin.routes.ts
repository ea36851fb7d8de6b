/**
 * /admin: operator API over accounts, numbers and keys, behind `Bearer ADMIN_TOKEN`.
 * With no ADMIN_TOKEN configured the whole surface answers 404, as if it did not exist.
 */
import type { MiddlewareHandler } from "hono";
import {
  accountDetail,
  accountsNamed,
  addNumber,
  changeKey,
  createAccount,
  createKey,
  revoke,
  rotateWebhookSecret,
  updateAccountSettings,
} from "../app/admin";
import { createUser } from "../app/dashboard-auth";
import { addDoNotCall, ifAccountExists, listDoNotCall, removeDoNotCall } from "../app/do-not-call";
import { sameSecret } from "../lib/crypto";
import {
  addDncAdminRoute,
  addNumberRoute,
  changeKeyRoute,
  createAccountRoute,
  createKeyRoute,
  createUserRoute,
  findAccountsRoute,
  getAccountRoute,
  listDncAdminRoute,
  removeDncAdminRoute,
  revokeKeyRoute,
  rotateSecretRoute,
  updateAccountRoute,
} from "./admin.contracts";
import { ApiError, orThrow } from "./api-error";
import type { AppEnv } from "./app-env";
import { publicOrigin } from "./origin";
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

adminRoutes.openapi(updateAccountRoute, async (c) =>
  c.json(
    orThrow(await updateAccountSettings(c.get("db"), c.req.valid("param").id, c.req.valid("json"))),
    200,
  ),
);

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

adminRoutes.openapi(listDncAdminRoute, async (c) => {
  const db = c.get("db");
  const id = c.req.valid("param").id;
  const { limit, cursor } = c.req.valid("query");
  return c.json(
    orThrow(await ifAccountExists(db, id, () => listDoNotCall(db, id, { limit, cursor }))),
    200,
  );
});

adminRoutes.openapi(addDncAdminRoute, async (c) => {
  const db = c.get("db");
  const id = c.req.valid("param").id;
  const body = c.req.valid("json");
  const added = orThrow(
    await ifAccountExists(db, id, () =>
      addDoNotCall(db, id, { ...body, source: body.source ?? "admin" }),
    ),
  );
  return added.created ? c.json(added.entry, 201) : c.json(added.entry, 200);
});

adminRoutes.openapi(removeDncAdminRoute, async (c) => {
  const db = c.get("db");
  const { id, number } = c.req.valid("param");
  orThrow(await ifAccountExists(db, id, () => removeDoNotCall(db, id, number)));
  return c.body(null, 204);
});

adminRoutes.openapi(createUserRoute, async (c) => {
  const { email, password } = c.req.valid("json");
  const user = orThrow(
    await createUser(c.get("db"), {
      accountId: c.req.valid("param").id,
      email,
      password,
      origin: publicOrigin(c),
    }),
  );
  return c.json(user, 201);
});
