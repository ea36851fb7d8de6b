/**
 * AI disclosure (issue 17): the agent's first line says it is an AI assistant, on whose behalf it
 * calls (the request's onBehalfOf, else the account's displayName, else a neutral fallback) and
 * that the call is recorded; the record and the terminal webhook carry `disclosure`.
 */
import { describe, expect, it } from "vitest";
import { admin, call, json, placeAndWait, setupAccount, VALID_CALL } from "../helpers";

const firstLine = (transcript: unknown) => String(transcript).split("\n")[0] ?? "";

describe("the first agent line", () => {
  it("names the request's onBehalfOf, says it is an AI and that the call is recorded", async () => {
    const { key } = await setupAccount();
    const ended = await placeAndWait(key, { ...VALID_CALL, onBehalfOf: "Luigi's Trattoria" });
    expect(ended.status).toBe("completed");
    const line = firstLine(ended.transcript);
    expect(line).toContain("] agent: Hello, ");
    expect(line).toContain(
      "this is an AI assistant calling on behalf of Luigi's Trattoria. This call is recorded.",
    );
    expect(ended.disclosure).toEqual({ spoken: true, atMs: expect.any(Number) });
  });

  it("names the account's display name when the request names no one", async () => {
    const { key, accountId } = await setupAccount();
    const set = await admin("PATCH", `/accounts/${accountId}`, { displayName: "Acme Dental" });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ displayName: "Acme Dental" });
    const ended = await placeAndWait(key);
    expect(firstLine(ended.transcript)).toContain("calling on behalf of Acme Dental.");
    expect(ended.disclosure).toMatchObject({ spoken: true });
  });

  it("falls back to a neutral name without either", async () => {
    const { key } = await setupAccount();
    const ended = await placeAndWait(key);
    expect(firstLine(ended.transcript)).toContain("calling on behalf of our client.");
    expect(ended.disclosure).toMatchObject({ spoken: true });
  });
});

describe("onBehalfOf", () => {
  it.each([
    ["longer than 100 characters", "x".repeat(101)],
    ["empty", "  "],
    ["not a string", 42],
  ])("is refused when %s", async (_, onBehalfOf) => {
    const { key } = await setupAccount();
    const res = await call("POST", "/v1/agent/calls", {
      token: key,
      body: { ...VALID_CALL, onBehalfOf },
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: "invalid_on_behalf_of" });
  });
});
