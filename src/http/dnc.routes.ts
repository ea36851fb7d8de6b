/** /v1/agent/dnc: the account's do-not-call list (the API key's account only). */
import { addDoNotCall, listDoNotCall, removeDoNotCall } from "../app/do-not-call";
import { tokenForDncBodyIssues, tokenForDncQueryIssues } from "../domain/do-not-call";
import { orThrow } from "./api-error";
import { requireApiKey } from "./auth";
import { addDncRoute, listDncRoute, removeDncRoute } from "./dnc.contracts";
import { createRouter, rejectWith } from "./validate";

export const dncRoutes = createRouter();

dncRoutes.use(requireApiKey);

dncRoutes.openapi(
  listDncRoute,
  async (c) => {
    const q = c.req.valid("query");
    const page = orThrow(
      await listDoNotCall(c.get("db"), c.get("principal").accountId, {
        limit: q.limit,
        cursor: q.cursor,
      }),
    );
    return c.json(page, 200);
  },
  rejectWith({ query: tokenForDncQueryIssues }),
);

dncRoutes.openapi(
  addDncRoute,
  async (c) => {
    const body = c.req.valid("json");
    const added = orThrow(
      await addDoNotCall(c.get("db"), c.get("principal").accountId, { ...body, source: "api" }),
    );
    return added.created ? c.json(added.entry, 201) : c.json(added.entry, 200);
  },
  rejectWith({ json: tokenForDncBodyIssues }),
);

dncRoutes.openapi(removeDncRoute, async (c) => {
  orThrow(
    await removeDoNotCall(c.get("db"), c.get("principal").accountId, c.req.valid("param").number),
  );
  return c.body(null, 204);
});
