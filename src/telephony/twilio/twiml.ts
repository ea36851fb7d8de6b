/**
 * TwiML for an outbound AI call: connect the answered call to our media WebSocket. The stream URL
 * must carry no query string, so the per-call secret travels as a <Parameter> (protocols.md B).
 */
export function connectStreamTwiml(streamUrl: string, params: Record<string, string>): string {
  const parameters = Object.entries(params)
    .map(([name, value]) => `<Parameter name="${xml(name)}" value="${xml(value)}"/>`)
    .join("");
  return `<Response><Connect><Stream url="${xml(streamUrl)}">${parameters}</Stream></Connect></Response>`;
}

/** Reads back what connectStreamTwiml wrote (the simulated carrier acts on it like Twilio). */
export function parseStreamTwiml(
  twiml: string,
): { url: string; params: Record<string, string> } | undefined {
  const url = /<Stream\s+url="([^"]*)"/.exec(twiml)?.[1];
  if (url === undefined) return undefined;
  const params: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)) {
    params[unxml(m[1] ?? "")] = unxml(m[2] ?? "");
  }
  return { url: unxml(url), params };
}

export type TransferDial = {
  to: string;
  callerId: string;
  /** How long the person's phone rings (Dial `timeout`), and the bridged leg may last. */
  ringSec: number;
  timeLimitSec: number;
  /** The Dial's action callback: how it ended (DialCallStatus, DialCallDuration). */
  actionUrl: string;
  /** The <Number url>: TwiML played to the person once they answer, before the legs join. */
  whisperUrl: string;
};

/** TwiML that hands the live call over to a person (a REST call update's `Twiml`). */
export function transferTwiml(d: TransferDial): string {
  return (
    `<Response><Dial callerId="${xml(d.callerId)}" timeout="${d.ringSec}" timeLimit="${d.timeLimitSec}" ` +
    `action="${xml(d.actionUrl)}" method="POST">` +
    `<Number url="${xml(d.whisperUrl)}" method="POST">${xml(d.to)}</Number></Dial></Response>`
  );
}

/** Reads back what transferTwiml wrote (the simulated carrier acts on it like Twilio). */
export function parseTransferTwiml(twiml: string): TransferDial | undefined {
  const dial = /<Dial\s([^>]*)>\s*<Number\s([^>]*)>([^<]*)<\/Number>\s*<\/Dial>/.exec(twiml);
  if (!dial) return undefined;
  const attr = (attrs: string, name: string) =>
    unxml(new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1] ?? "");
  const [, dialAttrs = "", numberAttrs = "", to = ""] = dial;
  return {
    to: unxml(to.trim()),
    callerId: attr(dialAttrs, "callerId"),
    ringSec: Number(attr(dialAttrs, "timeout")),
    timeLimitSec: Number(attr(dialAttrs, "timeLimit")),
    actionUrl: attr(dialAttrs, "action"),
    whisperUrl: attr(numberAttrs, "url"),
  };
}

/** The whisper: one sentence said to the person before the legs join. */
export function sayTwiml(text: string): string {
  return `<Response><Say>${xml(text)}</Say></Response>`;
}

/** The text of a <Say> (the simulated carrier "says" a whisper it fetched). */
export function parseTwimlSay(twiml: string): string | undefined {
  const text = /<Say[^>]*>([^<]*)<\/Say>/.exec(twiml)?.[1];
  return text === undefined ? undefined : unxml(text);
}

/** Ends the call (the answer to the transfer's Dial action). */
export const HANGUP_TWIML = "<Response><Hangup/></Response>";

function xml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

function unxml(s: string): string {
  return s
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
