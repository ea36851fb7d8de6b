import { describe, expect, it } from "vitest";
import { twilioMediaCodec } from "../../src/telephony/twilio/media-codec";
import { twilioSignature, verifyTwilioSignature } from "../../src/telephony/twilio/signature";
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
  it("async AMD: machines and fax end as voicemail, humans change nothing", () => {
    expect(signalFromAmdCallback(p({ AnsweredBy: "machine_end_beep" }))).toEqual({
      kind: "machine",
      answeredBy: "machine_end_beep",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "fax" }))).toEqual({
      kind: "machine",
      answeredBy: "fax",
    });
    expect(signalFromAmdCallback(p({ AnsweredBy: "human" }))).toBeUndefined();
    expect(signalFromAmdCallback(p({ AnsweredBy: "unknown" }))).toBeUndefined();
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
