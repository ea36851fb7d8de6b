import { describe, expect, it } from "vitest";
import { twilioMediaCodec } from "../../src/telephony/twilio/media-codec";
import {
  signatureAlgorithmOf,
  twilioSignature,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from "../../src/telephony/twilio/signature";
import {
  signalFromAmdCallback,
  signalFromStatusCallback,
} from "../../src/telephony/twilio/status-map";
import { connectStreamTwiml, parseStreamTwiml } from "../../src/telephony/twilio/twiml";

describe("X-Twilio-Signature (protocols.md A vectors)", () => {
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  it("matches Twilio's published vector", async () => {
    const params = {
      CallSid: "CA1234567890ABCDE",
      Caller: "+14158675309",
      Digits: "1234",
      From: "+14158675309",
      To: "+18005551212",
    };
    expect(await twilioSignature("12345", url, params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(await verifyTwilioSignature("12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url, params)).toBe(
      true,
    );
    expect(await verifyTwilioSignature("12345", "RSOYDt4T1cUTdK1PDd93/VVr8B9=", url, params)).toBe(
      false,
    );
    expect(await verifyTwilioSignature("54321", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url, params)).toBe(
      false,
    );
    expect(await verifyTwilioSignature("12345", undefined, url, params)).toBe(false);
  });
  it("de-duplicates and sorts repeated parameters", async () => {
    const params = { Sid: "CA123", SidAccount: "AC123", Digits: ["5678", "1234", "1234"] };
    expect(await twilioSignature("12345", url, params)).toBe("IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  });
  it("signs a media-stream wss URL with empty params, with or without the default port", async () => {
    expect(await twilioSignature("12345", "wss://example.com/media-stream")).toBe(
      "XFfwGS2Ev7f9qAP9MmRoMS7C724=",
    );
    expect(
      await verifyTwilioSignature(
        "12345",
        "XFfwGS2Ev7f9qAP9MmRoMS7C724=",
        "wss://example.com:443/media-stream",
      ),
    ).toBe(true);
  });
});

describe("SharedKey signatures (X-Twilio-Webhooks-Signature-Settings, protocols.md G)", () => {
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const params = {
    CallSid: "CA1234567890ABCDE",
    Caller: "+14158675309",
    Digits: "1234",
    From: "+14158675309",
    To: "+18005551212",
  };
  // HMAC-SHA256 of the published vector's string, keyed "12345" (computed with node:crypto).
  const SHA256 = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=";
  const settings = "key=KS0123,algorithm=HMAC_SHA256";
  const keys = { authToken: "auth-token-1", sharedKeySecret: "12345" };

  it("reads the algorithm from the settings header; none means HMAC-SHA1", () => {
    expect(signatureAlgorithmOf(undefined)).toBe("HMAC_SHA1");
    expect(signatureAlgorithmOf(settings)).toBe("HMAC_SHA256");
    expect(signatureAlgorithmOf("algorithm=hmac_sha1, key=KS1")).toBe("HMAC_SHA1");
    expect(signatureAlgorithmOf("key=KS1,algorithm=HMAC_SHA512")).toBeUndefined();
    expect(signatureAlgorithmOf("key=KS1")).toBeUndefined();
  });

  it("signs the same string with SHA-256 and the SharedKey secret", async () => {
    expect(await twilioSignature("12345", url, params, "HMAC_SHA256")).toBe(SHA256);
    expect(
      await verifyTwilioRequest(
        keys,
        { signature: SHA256, settings },
        ["https://other.test/", url],
        params,
      ),
    ).toBe("ok");
  });

  it("refuses tampered SharedKey requests, and the wrong key or algorithm", async () => {
    const headers = { signature: SHA256, settings };
    const body = { ...params, Digits: "9999" };
    expect(await verifyTwilioRequest(keys, headers, [url], body)).toBe("bad_signature");
    expect(await verifyTwilioRequest(keys, headers, [`${url}&baz=3`], params)).toBe(
      "bad_signature",
    );
    // Without the header it is the auth token's SHA-1 that must match.
    expect(
      await verifyTwilioRequest(keys, { signature: SHA256, settings: undefined }, [url], params),
    ).toBe("bad_signature");
    expect(await verifyTwilioRequest({ authToken: "12345" }, headers, [url], params)).toBe(
      "no_shared_key",
    );
    expect(
      await verifyTwilioRequest(
        keys,
        { signature: SHA256, settings: "algorithm=HMAC_MD5" },
        [url],
        params,
      ),
    ).toBe("unknown_algorithm");
  });

  it("leaves the auth token's HMAC-SHA1 path as it was", async () => {
    const sha1 = { signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", settings: undefined };
    const token = { authToken: "12345", sharedKeySecret: "another-secret" };
    expect(await verifyTwilioRequest(token, sha1, [url], params)).toBe("ok");
    expect(await verifyTwilioRequest(token, sha1, [url], { ...params, To: "+1" })).toBe(
      "bad_signature",
    );
    // A SHA-1 signature by the auth token is not accepted where the header says SharedKey.
    expect(await verifyTwilioRequest(token, { ...sha1, settings }, [url], params)).toBe(
      "bad_signature",
    );
  });
});

describe("TwiML", () => {
  it("connects a stream with a per-call parameter, escaped, and reads back", () => {
    const twiml = connectStreamTwiml("wss://voice.example.com/telephony/twilio/media/abc", {
      token: 'a"b<c>&',
    });
    expect(twiml).toBe(
      '<Response><Connect><Stream url="wss://voice.example.com/telephony/twilio/media/abc"><Parameter name="token" value="a&quot;b&lt;c&gt;&amp;"/></Stream></Connect></Response>',
    );
    expect(parseStreamTwiml(twiml)).toEqual({
      url: "wss://voice.example.com/telephony/twilio/media/abc",
      params: { token: 'a"b<c>&' },
    });
  });
});

describe("status callbacks", () => {
  const p = (o: Record<string, string>) => new URLSearchParams(o);
  it.each([
    [{ CallStatus: "initiated" }, { kind: "progress" }],
    [{ CallStatus: "ringing" }, { kind: "progress" }],
    [{ CallStatus: "in-progress" }, { kind: "answered" }],
    [{ CallStatus: "in-progress", AnsweredBy: "human" }, { kind: "answered" }],
    [
      { CallStatus: "in-progress", AnsweredBy: "machine_start" },
      { kind: "machine", answeredBy: "machine_start" },
    ],
    [
      { CallStatus: "completed", CallDuration: "49" },
      { kind: "ended", outcome: "completed", durationSec: 49 },
    ],
    [{ CallStatus: "busy" }, { kind: "ended", outcome: "busy" }],
    [{ CallStatus: "no-answer" }, { kind: "ended", outcome: "no_answer" }],
    [{ CallStatus: "failed" }, { kind: "ended", outcome: "failed" }],
    [{ CallStatus: "canceled" }, { kind: "ended", outcome: "canceled" }],
    [{ CallStatus: "bogus" }, undefined],
  ])("%j → %j", (params, signal) => {
    expect(signalFromStatusCallback(p(params))).toEqual(signal);
  });
  it("async AMD: machines and fax are machine verdicts; human and unknown are verdicts too", () => {
    expect(signalFromAmdCallback(p({ AnsweredBy: "machine_end_beep" }))).toEqual({
      kind: "machine",
      answeredBy: "machine_end_beep",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "fax" }))).toEqual({
      kind: "machine",
      answeredBy: "fax",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "human" }))).toEqual({
      kind: "amd",
      answeredBy: "human",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "unknown" }))).toEqual({
      kind: "amd",
      answeredBy: "unknown",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "bogus" }))).toBeUndefined();
  });
});

describe("media stream frames", () => {
  const { parse } = twilioMediaCodec;
  it("parses genuine frames and refuses malformed ones", () => {
    expect(parse('{"event":"connected","protocol":"Call","version":"1.0.0"}')).toEqual({
      kind: "connected",
    });
    expect(
      parse(
        '{"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"customParameters":{"token":"t"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}',
      ),
    ).toEqual({ kind: "start", streamId: "MZ1", params: { token: "t" } });
    expect(
      parse(
        '{"event":"media","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"//8="}}',
      ),
    ).toEqual({ kind: "media", payload: "//8=" });
    expect(parse('{"event":"mark","streamSid":"MZ1","mark":{"name":"end_call"}}')).toEqual({
      kind: "mark",
      name: "end_call",
    });
    expect(parse('{"event":"dtmf","streamSid":"MZ1","dtmf":{"digit":"5"}}')).toEqual({
      kind: "dtmf",
      digit: "5",
    });
    expect(parse("not json")).toBeUndefined();
    expect(parse('{"event":"media","media":{}}')).toBeUndefined();
    expect(parse('{"event":"mark","mark":null}')).toBeUndefined();
    expect(parse('{"event":"mark","mark":{"name":7}}')).toBeUndefined();
    expect(parse('{"event":"start"}')).toBeUndefined();
  });

  it("writes Twilio's outbound frames", () => {
    expect(JSON.parse(twilioMediaCodec.media("MZ1", "//8="))).toEqual({
      event: "media",
      streamSid: "MZ1",
      media: { payload: "//8=" },
    });
    expect(JSON.parse(twilioMediaCodec.clear("MZ1"))).toEqual({ event: "clear", streamSid: "MZ1" });
    expect(JSON.parse(twilioMediaCodec.mark("MZ1", "m"))).toEqual({
      event: "mark",
      streamSid: "MZ1",
      mark: { name: "m" },
    });
  });
});
