/**
 * Questions to the requester (issue 16) and opt-out (issue 17), end to end against the simulator:
 * +14155550118 asks "7:30 instead of 7?", the simulated model asks the requester, and the person
 * books or drops the table depending on the answer; +14155550119 asks not to be called again.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/lib/clock";
import { PHONE_LINES } from "../../src/simulator/phone-lines";
import { CALL_BACK_LINE, OPT_OUT_LINE } from "../../src/voice/simulator/reactions";
import {
  BASE,
  type CallOut,
  call,
  getCall,
  json,
  placeCall,
  setupAccount,
  waitForTerminal,
} from "../helpers";
import { waitFor } from "../wait-for";

const ASKS = "+14155550118";
const OPTS_OUT = "+14155550119";
const HOOK = "https://hooks.example.com/questions";
const OBJECTIVE = "Book a table for 4 at 7 PM Friday.";

type Pending = {
  id: string;
  question: string;
  options: string[];
  askedAt: string;
  expiresAt: string;
};
type Asked = Pending & {
  answer: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
};
type WithQuestions = CallOut & {
  pendingQuestion: Pending | null;
  questions: Asked[];
  transcript: string | null;
  optedOut: boolean;
};

afterEach(() => vi.restoreAllMocks());
// Each scenario is a whole simulated call in real time, with a question and its answer.
vi.setConfig({ testTimeout: 40_000 });

/** A fake webhook receiver at hooks.example.com. */
function receiver() {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const original = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const req = new Request(input, init);
    if (!req.url.startsWith("https://hooks.example.com/")) return original(input, init);
    received.push({ headers: Object.fromEntries(req.headers), body: await req.text() });
    return new Response("ok");
  });
  return received;
}

async function waitForEnd(key: string, id: string): Promise<WithQuestions> {
  return (await waitForTerminal(key, id, { timeoutMs: 20_000 })) as unknown as WithQuestions;
}

async function waitForQuestion(key: string, id: string): Promise<WithQuestions> {
  let last: WithQuestions | undefined;
  return waitFor(
    async () => {
      last = (await getCall(key, id)) as WithQuestions;
      return last.pendingQuestion ? last : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 20, describe: () => JSON.stringify(last) },
  );
}

const answer = (key: string, id: string, questionId: string, text: string) =>
  call("POST", `/v1/agent/calls/${id}/questions/${questionId}/answer`, {
    token: key,
    body: { answer: text },
  });

const withQuestions = {
  to: ASKS,
  objective: OBJECTIVE,
  questions: { enabled: true, timeoutSec: 60 },
};

describe("questions to the requester over REST", () => {
  it("asks, signs call.question, takes a yes and books 7:30; the answer is on the record and in the transcript", async () => {
    const received = receiver();
    const { key, webhookSecret } = await setupAccount();
    const id = await placeCall(key, { ...withQuestions, webhookUrl: HOOK });
    const live = await waitForQuestion(key, id);
    const q = live.pendingQuestion as Pending;
    expect(q.question).toMatch(/7:30/);
    expect(q.options).toEqual(["yes", "no"]);
    expect(Date.parse(q.expiresAt) - Date.parse(q.askedAt)).toBe(60_000);

    // call.question arrives at the receiver, signed as every event.
    const event = await waitFor(
      () =>
        received
          .map(
            (r) => new Webhook(webhookSecret).verify(r.body, r.headers) as Record<string, unknown>,
          )
          .find((e) => e.type === "call.question"),
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(event).toMatchObject({
      callId: id,
      data: { question: { id: q.id, question: q.question } },
    });

    const res = await answer(key, id, q.id, "Yes, 7:30 is fine.");
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      callId: id,
      question: { id: q.id, answer: "Yes, 7:30 is fine.", answeredBy: "rest" },
    });
    // Answering again: the question is closed.
    const again = await answer(key, id, q.id, "no");
    expect(again.status).toBe(409);
    expect(await json(again)).toEqual({ error: "question_closed" });

    const done = await waitForEnd(key, id);
    expect(done.status).toBe("completed");
    expect(done.pendingQuestion).toBeNull();
    expect(done.questions).toEqual([
      expect.objectContaining({ id: q.id, answer: "Yes, 7:30 is fine.", answeredBy: "rest" }),
    ]);
    const lines = (done.transcript ?? "").split("\n");
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[\d\d:\d\d\.\d\] requester: .*Yes, 7:30 is fine\.$/),
    );
    // The agent relayed the yes, and the person booked the new time.
    // The agent's relayed line (its tail may be cut where the person answered over it).
    expect(lines.some((l) => l.includes("agent: Yes, 7:30 is fine"))).toBe(true);
    expect(lines.some((l) => l.endsWith(`recipient: ${PHONE_LINES.booking_at_730}`))).toBe(true);
  });

  it("an unknown question is 404, another account's call is 404, a bad answer is 400", async () => {
    const { key } = await setupAccount();
    const other = await setupAccount();
    const id = await placeCall(key, withQuestions);
    const q = (await waitForQuestion(key, id)).pendingQuestion as Pending;
    const unknown = await answer(key, id, "q_nope", "yes");
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: "not_found" });
    const foreign = await answer(other.key, id, q.id, "yes");
    expect(foreign.status).toBe(404);
    expect(await json(foreign)).toEqual({ error: "not_found" });
    const tooLong = await answer(key, id, q.id, "x".repeat(2001));
    expect(tooLong.status).toBe(400);
    expect(await json(tooLong)).toEqual({ error: "invalid_request" });
    // Still pending: none of these answered it.
    expect(((await getCall(key, id)) as WithQuestions).pendingQuestion?.id).toBe(q.id);
    expect((await answer(key, id, q.id, "no thanks")).status).toBe(200);
    const done = await waitForEnd(key, id);
    expect(done.transcript).toContain("agent: I am sorry, my client says 7:30 does not work");
    expect(done.transcript).toContain(PHONE_LINES.booking_dropped);
  }, 40_000);

  it("with no answer by expiresAt the agent says it will call back and ends the call", async () => {
    const { key } = await setupAccount();
    const id = await placeCall(key, {
      ...withQuestions,
      questions: { enabled: true, timeoutSec: 5 },
    });
    const q = (await waitForQuestion(key, id)).pendingQuestion as Pending;
    const stub = env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id));
    const clock = vi.spyOn(systemClock, "now").mockReturnValue(Date.parse(q.expiresAt) + 1);
    try {
      await runDurableObjectAlarm(stub);
    } finally {
      clock.mockRestore();
    }
    const late = await answer(key, id, q.id, "yes");
    expect(late.status).toBe(409);
    expect(await json(late)).toEqual({ error: "question_closed" });
    const done = await waitForEnd(key, id);
    expect(done.status).toBe("completed");
    expect(done.questions).toEqual([
      expect.objectContaining({ id: q.id, answer: null, answeredBy: "timeout" }),
    ]);
    expect(done.transcript).toContain(CALL_BACK_LINE.split(",")[0]);
    expect(done.transcript).toMatch(/requester: .*no answer in time/);
  });

  it("questions are off unless asked for: the agent is not offered ask_requester", async () => {
    const { key } = await setupAccount();
    const done = await waitForEnd(key, await placeCall(key, { to: ASKS, objective: OBJECTIVE }));
    expect(done.status).toBe("completed");
    expect(done.questions).toEqual([]);
    const bad = await call("POST", "/v1/agent/calls", {
      token: key,
      body: { ...withQuestions, questions: { enabled: true, timeoutSec: 4 } },
    });
    expect(bad.status).toBe(400);
  });
});

async function connect(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: (url, init) => exports.default.fetch(new Request(url, init)),
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

type Text = { type: string; text: string };
const payload = (result: unknown) =>
  JSON.parse(((result as { content: Text[] }).content[0] as Text).text);

describe("questions to the requester over MCP", () => {
  it("wait_for_call returns the question; answer_question carries the answer to the agent", async () => {
    const { key } = await setupAccount();
    const client = await connect(key);
    const placed = payload(
      await client.callTool({ name: "place_call", arguments: withQuestions }),
    ) as { callId: string };
    const waited = payload(
      await client.callTool({
        name: "wait_for_call",
        arguments: { callId: placed.callId, timeoutSec: 20 },
      }),
    ) as WithQuestions & { timedOut: boolean };
    expect(waited.status).toBe("in_progress");
    expect(waited.timedOut).toBe(false);
    const q = waited.pendingQuestion as Pending;
    expect(q.question).toMatch(/7:30/);
    const answered = payload(
      await client.callTool({
        name: "answer_question",
        arguments: { callId: placed.callId, questionId: q.id, answer: "yes, that's fine" },
      }),
    );
    expect(answered).toMatchObject({ question: { id: q.id, answeredBy: "mcp" } });
    const twice = await client.callTool({
      name: "answer_question",
      arguments: { callId: placed.callId, questionId: q.id, answer: "yes" },
    });
    expect(twice.isError).toBe(true);
    expect(payload(twice)).toEqual({ error: "question_closed" });
    const done = payload(
      await client.callTool({
        name: "wait_for_call",
        arguments: { callId: placed.callId, timeoutSec: 20 },
      }),
    ) as WithQuestions;
    expect(done.status).toBe("completed");
    expect(done.questions[0]).toMatchObject({ answer: "yes, that's fine", answeredBy: "mcp" });
    expect(done.transcript).toContain(PHONE_LINES.booking_at_730);
    await client.close();
  });
});

describe("opt-out", () => {
  it("a person who asks not to be called again is listed, the call ends politely, call.opt_out is sent", async () => {
    const received = receiver();
    const { key, webhookSecret } = await setupAccount();
    const id = await placeCall(key, { to: OPTS_OUT, objective: OBJECTIVE, webhookUrl: HOOK });
    const done = await waitForEnd(key, id);
    expect(done.status).toBe("completed");
    expect(done.optedOut).toBe(true);
    // The goodbye's words (its transcript may miss the tail that was spoken as the line closed).
    expect(done.transcript).toContain(OPT_OUT_LINE.split(",")[0]);

    const list = await json<{ entries: { number: string; source: string; reason: string }[] }>(
      await call("GET", "/v1/agent/dnc", { token: key }),
    );
    expect(list.entries).toEqual([
      expect.objectContaining({
        number: OPTS_OUT,
        source: "recipient_request",
        reason: PHONE_LINES.do_not_call_me,
      }),
    ]);
    const event = await waitFor(
      () =>
        received
          .map(
            (r) => new Webhook(webhookSecret).verify(r.body, r.headers) as Record<string, unknown>,
          )
          .find((e) => e.type === "call.opt_out"),
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(event).toMatchObject({
      callId: id,
      data: { optOut: { number: OPTS_OUT, reason: PHONE_LINES.do_not_call_me } },
    });

    const again = await call("POST", "/v1/agent/calls", {
      token: key,
      body: { to: OPTS_OUT, objective: OBJECTIVE },
    });
    expect(again.status).toBe(400);
    expect(await json(again)).toEqual({ error: "do_not_call" });
  });
});
