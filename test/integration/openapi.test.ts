/**
 * /openapi.json is generated from the routes: every route the app serves is in it (but the
 * local-only simulators), it has the shape of an OpenAPI 3.1 document, and /docs loads with its
 * script from this Worker.
 */
import { describe, expect, it } from "vitest";
import { ERROR_TOKENS, statusOf } from "../../src/domain/error-tokens";
import { createApp } from "../../src/http/app";
import { SIMULATOR_API_PATH } from "../../src/telephony/provider";
import { SIMULATED_MODEL_PATH } from "../../src/voice/simulator/simulated-model";
import { call, json } from "../helpers";

type Schema = { type?: string; properties?: Record<string, Schema>; enum?: string[] };
type Response = {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: Schema & { $ref?: string } }>;
};
type Operation = { responses: Record<string, Response>; operationId?: string };
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
  webhooks: Record<string, Record<string, Operation>>;
};

/**
 * Served but not documented: the simulated carrier's fake of Twilio's REST API and the simulated
 * voice model's fake of Gemini Live, local stand-ins for third-party services (README: Simulator).
 */
// The dashboard's HTML pages (README: Dashboard) are not part of the JSON API either.
const UNDOCUMENTED = [SIMULATOR_API_PATH, SIMULATED_MODEL_PATH, "/dashboard"];

const document = async () => json<Document>(await call("GET", "/openapi.json"));

describe("/openapi.json", () => {
  it("documents every route the app serves", async () => {
    const doc = await document();
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL") // middleware registered with .use()
      .filter((r) => !UNDOCUMENTED.some((prefix) => r.path.startsWith(prefix)))
      .map((r) => `${r.method} ${r.path.replaceAll(/:(\w+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it("has the shape of an OpenAPI 3.1 document", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.components.securitySchemes)).toEqual(["agentKey", "adminToken"]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\//);
      for (const op of Object.values(ops)) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(response.description).toBeTruthy();
        }
      }
    }
    // Every $ref resolves to a component.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)];
    for (const [, name] of refs) expect(doc.components.schemas).toHaveProperty(name as string);
    expect(Object.keys(doc.webhooks.callEvent?.post ?? {})).toContain("requestBody");
  });

  it("lists each error response's tokens, all of that status and from the one table", async () => {
    const doc = await document();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          const tokens = response.content?.["application/json"]?.schema?.properties?.error?.enum;
          expect(tokens?.length).toBeGreaterThan(0);
          for (const token of tokens ?? []) {
            expect(ERROR_TOKENS).toContain(token);
            expect(String(statusOf(token as (typeof ERROR_TOKENS)[number]))).toBe(status);
          }
        }
      }
    }
  });

  it("describes the placement's 202 with its headers, and its 502 placement_failed", async () => {
    const post = (await document()).paths["/v1/agent/calls"]?.post;
    expect(Object.keys(post?.responses["202"]?.headers ?? {})).toEqual(
      expect.arrayContaining(["Location", "Idempotent-Replayed", "x-request-id"]),
    );
    expect(post?.responses["202"]?.content?.["application/json"]?.schema?.$ref).toBe(
      "#/components/schemas/PlaceCallResponse",
    );
    expect(post?.responses["502"]?.content?.["application/json"]?.schema).toMatchObject({
      properties: { error: { enum: ["placement_failed"] } },
    });
    expect(Object.keys(post?.responses["429"]?.headers ?? {})).toContain("Retry-After");
  });

  it("describes scheduling, onBehalfOf and the disclosure (issue 17)", async () => {
    const doc = await document();
    const request = doc.components.schemas.PlaceCallRequest;
    expect(Object.keys(request?.properties ?? {})).toEqual(
      expect.arrayContaining(["schedule", "onBehalfOf"]),
    );
    expect(Object.keys(request?.properties?.schedule?.properties ?? {})).toEqual([
      "notBefore",
      "inCallingWindow",
    ]);
    expect(doc.components.schemas.PlaceCallResponse?.properties).toHaveProperty("scheduledFor");
    const text = JSON.stringify(doc);
    expect(text).toContain('"disclosure"');
    expect(text).toContain('"displayName"');
    const post = doc.paths["/v1/agent/calls"]?.post;
    expect(
      post?.responses["400"]?.content?.["application/json"]?.schema?.properties?.error?.enum,
    ).toEqual(expect.arrayContaining(["invalid_schedule", "invalid_on_behalf_of"]));
  });

  it("documents voicemail on placement and who answered on the call (issue 14)", async () => {
    const doc = await document();
    const post = doc.paths["/v1/agent/calls"]?.post;
    expect(
      post?.responses["400"]?.content?.["application/json"]?.schema?.properties?.error?.enum,
    ).toContain("invalid_voicemail");
    const request = JSON.stringify(doc.components.schemas.PlaceCallRequest);
    expect(request).toContain('"voicemail"');
    expect(request).toContain('"leave_message"');
    const callSchema = doc.components.schemas.Call;
    expect(callSchema?.properties?.answeredBy?.enum).toEqual([
      "human",
      "voicemail",
      "call_screener",
      "ivr",
      "fax",
      "unknown",
      null,
    ]);
    expect(callSchema?.properties?.answeredBySource?.enum).toEqual(["carrier", "agent", null]);
    expect(callSchema?.properties).toHaveProperty("answeredByMs");
    expect(JSON.stringify(callSchema?.properties?.voicemailMessage)).toContain("mailbox_full");
  });

  it("documents the phone tree's request fields, record fields, tokens and carrier callbacks", async () => {
    const doc = await document();
    const text = JSON.stringify(doc);
    for (const field of ["maxHoldSec", "transferTo", "transferWhen", "holdSec", "transfer"])
      expect(text).toContain(`"${field}":`);
    const post = doc.paths["/v1/agent/calls"]?.post;
    expect(
      post?.responses["400"]?.content?.["application/json"]?.schema?.properties?.error?.enum,
    ).toEqual(
      expect.arrayContaining([
        "invalid_transfer_number",
        "invalid_max_hold_sec",
        "invalid_transfer_when",
      ]),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/telephony/twilio/dial/{callId}",
        "/telephony/twilio/whisper/{callId}",
      ]),
    );
    expect(text).toContain("ivr_stuck");
    expect(text).toContain("hold_timeout");
  });

  it("describes the recording with its range headers", async () => {
    const get = (await document()).paths["/v1/agent/calls/{id}/recording"]?.get;
    expect(Object.keys(get?.responses["206"]?.headers ?? {})).toEqual(
      expect.arrayContaining(["Content-Range", "Accept-Ranges"]),
    );
    expect(Object.keys(get?.responses["416"]?.headers ?? {})).toContain("Content-Range");
  });
});

describe("/docs", () => {
  it("loads the reference page and its script from this Worker", async () => {
    const page = await call("GET", "/docs");
    expect(page.status).toBe(200);
    const body = await page.text();
    const src = /<script src="([^"]+)"><\/script>/.exec(body)?.[1];
    expect(src).toMatch(/^\//);
    expect(body).toContain('"url":"/openapi.json"');

    const script = await call("GET", src ?? "");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("createApiReference");
  });
});

describe("the carrier's endpoints answer tokens from the one table", () => {
  const callId = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it.each([
    ["GET", `/telephony/twilio/media/${callId}`, {}, 426, "upgrade_required"],
    ["GET", `/telephony/twilio/media/${callId}`, { upgrade: "websocket" }, 403, "forbidden"],
    ["GET", "/telephony/twilio/media/not-a-call", { upgrade: "websocket" }, 404, "not_found"],
    ["POST", `/telephony/twilio/status/${callId}`, form, 403, "forbidden"],
    ["POST", `/telephony/twilio/amd/${callId}`, form, 403, "forbidden"],
    ["POST", `/telephony/twilio/dial/${callId}`, form, 403, "forbidden"],
    ["POST", `/telephony/twilio/whisper/${callId}`, form, 403, "forbidden"],
    ["POST", "/telephony/twilio/status/not-a-call", form, 404, "not_found"],
  ])("%s %s → %i %s", async (method, path, headers, status, token) => {
    const body = method === "POST" ? "CallSid=CA123&CallStatus=ringing" : undefined;
    const res = await call(method, path, { headers, rawBody: body });
    expect([res.status, await res.json()]).toEqual([status, { error: token }]);
  });

  it("describes answering the agent's question, with 409 question_closed", async () => {
    const post = (await document()).paths["/v1/agent/calls/{id}/questions/{questionId}/answer"]
      ?.post;
    expect(post?.responses["200"]).toBeDefined();
    expect(post?.responses["409"]?.content?.["application/json"]?.schema).toMatchObject({
      properties: { error: { enum: ["question_closed"] } },
    });
  });
});
