/** POST/GET /v1/agent/calls through the Worker: every token, shapes, tenant scope, listing. */
import { beforeAll, describe, expect, it } from "vitest";
import { call, json, setupAccount, VALID_CALL } from "../helpers";

let key: string;
let otherKey: string;

beforeAll(async () => {
  ({ key } = await setupAccount({ numbers: ["+12025550143", "+12134932550"] }));
  ({ key: otherKey } = await setupAccount({ numbers: ["+13105550123"] }));
});

const place = (body: unknown, token = key) => call("POST", "/v1/agent/calls", { token, body });

async function expectError(res: Response, status: number, token: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error: token });
}

describe("authentication comes first", () => {
  it.each([
    ["no header", undefined],
    ["a malformed key", "not-a-key"],
    ["an unknown key", `bys_ak_${"x".repeat(40)}`],
  ])("401 unauthorized with %s, even for an invalid body", async (_what, token) => {
    await expectError(
      await call("POST", "/v1/agent/calls", { token, body: {} }),
      401,
      "unauthorized",
    );
    await expectError(await call("GET", "/v1/agent/calls", { token }), 401, "unauthorized");
  });
});

describe("POST /v1/agent/calls", () => {
  it("answers 202 with the reference's response shape and records the call as queued", async () => {
    const res = await place({
      ...VALID_CALL,
      context: "We have dined here before. Our preference is a window seat.",
      fields: [
        { name: "booked", type: "boolean", description: "Did they confirm the booking?" },
        { name: "confirmed_time", type: "string" },
        { name: "contact_name" },
      ],
      webhookUrl: "https://your-server.example.com/webhooks/bys",
      callerId: "+12134932550",
    });
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toEqual({
      callId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "queued",
      language: "en-US",
      languageSource: "inferred",
      voice: "Aoede",
    });
    const got = await call("GET", `/v1/agent/calls/${body.callId}`, { token: key });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      id: body.callId,
      // The simulated carrier may already have taken it.
      status: expect.stringMatching(/^(queued|dialing)$/),
      to: "+14155550123",
      objective: VALID_CALL.objective,
      voice: "Aoede",
      language: "en-US",
      languageSource: "inferred",
      summary: null,
      transcript: null,
      extracted: null,
      recordingUrl: null,
      recordingTruncated: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      startedAt: null,
      endedAt: null,
      durationSec: null,
      error: null,
      extractedEvidence: null,
      analysisError: null,
      responseLatency: null,
      scheduledFor: null,
      disclosure: { spoken: false, atMs: null },
      answeredBy: null,
      answeredByMs: null,
      answeredBySource: null,
      voicemailMessage: null,
      holdSec: null,
      transfer: null,
      pendingQuestion: null,
      questions: [],
      optedOut: false,
    });
  });

  it.each([
    [{ objective: "x" }, "to_required"],
    [{ to: "", objective: "x" }, "to_required"],
    [{ to: null, objective: "x" }, "to_required"],
    [{ to: 14155550123, objective: "x" }, "invalid_number"],
    [{ to: "+1 415 555 0123", objective: "x" }, "invalid_number"],
    [{ to: "14155550123", objective: "x" }, "invalid_number"],
    [{ to: "+14155550123" }, "objective_required"],
    [{ to: "+14155550123", objective: "" }, "objective_required"],
    [{ to: "+14155550123", objective: "   " }, "objective_required"],
    [{ to: "+14155550123", objective: 42 }, "objective_required"],
    [{ to: "+14155550123", objective: "x".repeat(4001) }, "objective_too_long"],
    [{ to: "+18765230123", objective: "x" }, "destination_blocked"],
    [{ to: "+19005551234", objective: "x" }, "destination_blocked"],
    [{ to: "+881612345678", objective: "x" }, "destination_blocked"],
    [{ to: "+1911", objective: "x" }, "destination_blocked"],
    [{ to: "+33612345678", objective: "x" }, "destination_blocked"],
    [{ ...VALID_CALL, context: 5 }, "invalid_context"],
    [{ ...VALID_CALL, context: ["a"] }, "invalid_context"],
    [{ ...VALID_CALL, context: "x".repeat(10_001) }, "invalid_context"],
    [{ ...VALID_CALL, fields: "booked" }, "invalid_fields"],
    [{ ...VALID_CALL, fields: {} }, "invalid_fields"],
    [{ ...VALID_CALL, fields: [{ type: "string" }] }, "invalid_fields"],
    [{ ...VALID_CALL, fields: [{ name: 7 }] }, "invalid_fields"],
    [{ ...VALID_CALL, fields: [{ name: "" }] }, "invalid_fields"],
    [{ ...VALID_CALL, fields: [{ name: "a" }, { name: "a" }] }, "invalid_fields"],
    [{ ...VALID_CALL, fields: [{ name: "a", type: "date" }] }, "invalid_fields"],
    [
      { ...VALID_CALL, fields: Array.from({ length: 21 }, (_, i) => ({ name: `f${i}` })) },
      "invalid_fields",
    ],
    [{ ...VALID_CALL, callerId: 12134932550 }, "invalid_caller_id"],
    [{ ...VALID_CALL, callerId: "2134932550" }, "invalid_caller_id"],
    [{ ...VALID_CALL, callerId: "+14155550199" }, "caller_id_not_owned"],
    [{ ...VALID_CALL, webhookUrl: 3 }, "invalid_webhook_url"],
    [{ ...VALID_CALL, webhookUrl: "not a url" }, "invalid_webhook_url"],
    [{ ...VALID_CALL, webhookUrl: "/relative/path" }, "invalid_webhook_url"],
    [{ ...VALID_CALL, webhookUrl: "http://example.com/hook" }, "invalid_webhook_url"],
    [{ ...VALID_CALL, webhookUrl: "ftp://example.com/hook" }, "invalid_webhook_url"],
    [{ ...VALID_CALL, webhookUrl: "https://user:pw@example.com/hook" }, "invalid_webhook_url"],
    [{ ...VALID_CALL, voice: "Nobody" }, "invalid_voice"],
    [{ ...VALID_CALL, voice: "alloy" }, "invalid_voice"],
    [{ ...VALID_CALL, voice: 1 }, "invalid_voice"],
    [{ ...VALID_CALL, language: "english" }, "invalid_language"],
    [{ ...VALID_CALL, language: 7 }, "invalid_language"],
    [[VALID_CALL], "invalid_json"],
    ["a string", "invalid_json"],
  ])("400 for %j → %s", async (body, token) => {
    await expectError(await place(body), 400, token);
  });

  it("reports the first failing field in the reference's order", async () => {
    await expectError(await place({ objective: "", context: 1 }), 400, "to_required");
    await expectError(await place({ to: "+14155550123", context: 1 }), 400, "objective_required");
  });

  it("400 invalid_json for malformed JSON, 415 for non-JSON, 413 for a huge body", async () => {
    const headers = { "content-type": "application/json" };
    await expectError(
      await call("POST", "/v1/agent/calls", { token: key, rawBody: "{nope", headers }),
      400,
      "invalid_json",
    );
    await expectError(
      await call("POST", "/v1/agent/calls", {
        token: key,
        rawBody: "to=%2B14155550123",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "unsupported_media_type",
    );
    await expectError(
      await call("POST", "/v1/agent/calls", {
        token: key,
        rawBody: JSON.stringify({ ...VALID_CALL, context: "x".repeat(70_000) }),
        headers,
      }),
      413,
      "payload_too_large",
    );
  });

  it("accepts the local webhook receiver in development", async () => {
    const res = await place({ ...VALID_CALL, webhookUrl: "http://127.0.0.1:9000/hook" });
    expect(res.status).toBe(202);
  });

  it("treats null optional fields as absent", async () => {
    const res = await place({
      ...VALID_CALL,
      context: null,
      fields: null,
      voice: null,
      webhookUrl: null,
    });
    expect(res.status).toBe(202);
  });

  it("resolves language: explicit, auto, inferred with the destination's region", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...VALID_CALL, language: "ru-ru" }, "ru-RU", "explicit"],
      [{ ...VALID_CALL, language: "auto" }, "auto", "auto"],
      [{ ...VALID_CALL, to: "+442079460123" }, "en-GB", "inferred"],
      [
        {
          to: "+97221234567",
          objective: "להזמין שולחן לארבעה ביום שישי בשבע בערב ולבקש את שם המארח",
        },
        "he-IL",
        "inferred",
      ],
      [{ ...VALID_CALL, objective: "Call Bob" }, "auto", "auto"],
    ];
    for (const [body, language, languageSource] of cases) {
      const res = await place(body);
      expect(res.status).toBe(202);
      expect(await json(res)).toMatchObject({ language, languageSource });
    }
  });

  it("resolves voice: request (any case), else the key's default, else the platform's", async () => {
    expect(await json(await place({ ...VALID_CALL, voice: "kore" }))).toMatchObject({
      voice: "Kore",
    });
    const withVoice = await setupAccount({ keyVoice: "Puck" });
    expect(await json(await place(VALID_CALL, withVoice.key))).toMatchObject({ voice: "Puck" });
    expect(
      await json(await place({ ...VALID_CALL, voice: "Charon" }, withVoice.key)),
    ).toMatchObject({
      voice: "Charon",
    });
  });

  it("uses the account's default caller ID and refuses when there is none", async () => {
    const bare = await setupAccount({ numbers: [] });
    await expectError(await place(VALID_CALL, bare.key), 400, "caller_id_required");
  });
});

describe("GET /v1/agent/calls/{id}", () => {
  it("is tenant-scoped: another account's call is 404 not_found", async () => {
    const placed = await json(await place(VALID_CALL));
    await expectError(
      await call("GET", `/v1/agent/calls/${placed.callId}`, { token: otherKey }),
      404,
      "not_found",
    );
    await expectError(
      await call("GET", "/v1/agent/calls/00000000-0000-0000-0000-000000000000", { token: key }),
      404,
      "not_found",
    );
    await expectError(
      await call("GET", "/v1/agent/calls/nonsense", { token: key }),
      404,
      "not_found",
    );
  });
});

describe("GET /v1/agent/calls", () => {
  it("lists the account's calls, most recent first, summary fields only, with cursor pages", async () => {
    const account = await setupAccount();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await place({ ...VALID_CALL, objective: `Objective number ${i}` }, account.key);
      ids.push((await json<{ callId: string }>(res)).callId);
    }
    const first = await json<{ calls: Record<string, unknown>[]; nextCursor: string | null }>(
      await call("GET", "/v1/agent/calls?limit=2", { token: account.key }),
    );
    expect(first.calls.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(Object.keys(first.calls[0] ?? {}).sort()).toEqual(
      [
        "createdAt",
        "durationSec",
        "scheduledFor",
        "endedAt",
        "id",
        "objective",
        "startedAt",
        "status",
        "summary",
        "to",
      ].sort(),
    );
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json<{ calls: { id: string }[]; nextCursor: string | null }>(
      await call("GET", `/v1/agent/calls?limit=2&cursor=${first.nextCursor}`, {
        token: account.key,
      }),
    );
    expect(second.calls.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const third = await json<{ calls: { id: string }[]; nextCursor: string | null }>(
      await call("GET", `/v1/agent/calls?limit=2&cursor=${second.nextCursor}`, {
        token: account.key,
      }),
    );
    expect(third.calls.map((c) => c.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
  });

  it("defaults to 20 and never shows another account's calls", async () => {
    const account = await setupAccount();
    for (let i = 0; i < 21; i++) await place(VALID_CALL, account.key);
    const page = await json<{ calls: unknown[] }>(
      await call("GET", "/v1/agent/calls", { token: account.key }),
    );
    expect(page.calls).toHaveLength(20);
    const empty = await setupAccount();
    expect(await json(await call("GET", "/v1/agent/calls", { token: empty.key }))).toEqual({
      calls: [],
      nextCursor: null,
    });
  });

  it("filters by status", async () => {
    const account = await setupAccount();
    const ringing: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await place({ to: "+14155550107", objective: "Ask for Bob" }, account.key);
      ringing.push((await json<{ callId: string }>(res)).callId);
    }
    const declined = (
      await json<{ callId: string }>(
        await place({ to: "+14155550102", objective: "Ask for Bob" }, account.key),
      )
    ).callId;
    const list = async (q: string) =>
      (
        await json<{ calls: { id: string }[] }>(
          await call("GET", `/v1/agent/calls?${q}`, { token: account.key }),
        )
      ).calls.map((c) => c.id);
    await expect.poll(() => list("status=declined"), { timeout: 5000 }).toEqual([declined]);
    await expect
      .poll(() => list("status=dialing"), { timeout: 5000 })
      .toEqual([...ringing].reverse());
    expect(await list("status=declined,dialing")).toEqual([declined, ...[...ringing].reverse()]);
    expect(await list("status=completed")).toEqual([]);
  });

  it.each([
    ["limit=0", "invalid_limit"],
    ["limit=101", "invalid_limit"],
    ["limit=abc", "invalid_limit"],
    ["limit=2.5", "invalid_limit"],
    ["cursor=%25%25%25", "invalid_cursor"],
    ["cursor=bm90LWpzb24", "invalid_cursor"],
    ["status=ringing", "invalid_status"],
    ["status=", "invalid_status"],
  ])("400 for ?%s → %s", async (query, token) => {
    await expectError(await call("GET", `/v1/agent/calls?${query}`, { token: key }), 400, token);
  });
});

describe("documents", () => {
  it("serves an OpenAPI 3.1 document generated from the schemas, and a docs page", async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>(await call("GET", "/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/agent/calls", "/v1/agent/calls/{id}"]),
    );
    expect(Object.keys(doc.components.schemas.PlaceCallRequest?.properties ?? {})).toEqual([
      "to",
      "objective",
      "context",
      "fields",
      "webhookUrl",
      "callerId",
      "voice",
      "language",
      "schedule",
      "onBehalfOf",
      "voicemail",
      "maxHoldSec",
      "transferTo",
      "transferWhen",
      "questions",
      "liveEvents",
    ]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/agent/calls/{id}/cancel",
        "/v1/agent/calls/{id}/events",
        "/v1/agent/calls/{id}/events/{eventId}/redeliver",
      ]),
    );
    expect(Object.keys(doc.components.schemas.WebhookEvent?.properties ?? {})).toEqual([
      "id",
      "type",
      "timestamp",
      "callId",
      "data",
    ]);
    const page = await call("GET", "/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("/v1/agent/calls/{id}");
  });

  it("answers unknown paths with 404 not_found", async () => {
    await expectError(await call("GET", "/v2/nothing"), 404, "not_found");
  });
});
