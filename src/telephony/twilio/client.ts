/**
 * Twilio Programmable Voice REST client (protocols.md A): create a call with TwiML that connects a
 * Media Stream, hang it up. Form-encoded bodies, Basic auth. The base URL is configuration, so the
 * same client talks to api.twilio.com, to the built-in simulator, or to a test fake.
 */

import type { Transport } from "../../lib/loopback";
import { connectStreamTwiml } from "./twiml";

export type TwilioCredentials = { apiBase: string; accountSid: string; authToken: string };

export type CreateCallRequest = {
  to: string;
  from: string;
  streamUrl: string;
  streamParams: Record<string, string>;
  statusCallbackUrl: string;
  amdCallbackUrl: string;
  timeoutSec: number;
  timeLimitSec: number;
  /**
   * Async AMD's mode: `DetectMessageEnd` waits for the greeting's end (machine_end_beep, _silence,
   * _other) so a message can follow; `Enable` answers sooner (machine_start). Default Enable.
   */
  machineDetection?: "Enable" | "DetectMessageEnd";
};

/** Carrier refusal (4xx) is final; 429 and 5xx are worth retrying. */
export class CarrierError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly retryable: boolean,
  ) {
    super(`carrier answered ${status}${code ? ` (code ${code})` : ""}`);
    this.name = "CarrierError";
  }
}

export class TwilioClient {
  constructor(
    private readonly creds: TwilioCredentials,
    private readonly transport: Transport,
  ) {}

  async createCall(req: CreateCallRequest): Promise<{ sid: string }> {
    const form = new URLSearchParams({
      To: req.to,
      From: req.from,
      Twiml: connectStreamTwiml(req.streamUrl, req.streamParams),
      StatusCallback: req.statusCallbackUrl,
      StatusCallbackMethod: "POST",
      Timeout: String(req.timeoutSec),
      TimeLimit: String(req.timeLimitSec),
      MachineDetection: req.machineDetection ?? "Enable",
      AsyncAmd: "true",
      AsyncAmdStatusCallback: req.amdCallbackUrl,
      AsyncAmdStatusCallbackMethod: "POST",
    });
    for (const event of ["initiated", "ringing", "answered", "completed"]) {
      form.append("StatusCallbackEvent", event);
    }
    const body = await this.post(`${this.callsUrl()}.json`, form);
    const sid = (body as { sid?: unknown }).sid;
    if (typeof sid !== "string") throw new CarrierError(502, undefined, true);
    return { sid };
  }

  /** `completed` ends an answered call; `canceled` withdraws a queued or ringing one. */
  async hangup(sid: string, answered: boolean): Promise<void> {
    await this.post(
      `${this.callsUrl()}/${sid}.json`,
      new URLSearchParams({ Status: answered ? "completed" : "canceled" }),
    );
  }

  /** Runs new TwiML on the live call (a transfer's <Dial>); its media stream ends. */
  async updateTwiml(sid: string, twiml: string): Promise<void> {
    await this.post(`${this.callsUrl()}/${sid}.json`, new URLSearchParams({ Twiml: twiml }));
  }

  private callsUrl(): string {
    return `${this.creds.apiBase}/2010-04-01/Accounts/${this.creds.accountSid}/Calls`;
  }

  private async post(url: string, form: URLSearchParams): Promise<unknown> {
    let res: Response;
    try {
      res = await this.transport(
        new Request(url, {
          method: "POST",
          headers: {
            authorization: `Basic ${btoa(`${this.creds.accountSid}:${this.creds.authToken}`)}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: form,
        }),
      );
    } catch (cause) {
      throw Object.assign(new CarrierError(0, undefined, true), { cause });
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Non-JSON error pages are treated by status alone.
    }
    if (!res.ok) {
      const code = (body as { code?: unknown } | null)?.code;
      throw new CarrierError(
        res.status,
        typeof code === "number" ? code : undefined,
        res.status === 429 || res.status >= 500,
      );
    }
    return body;
  }
}
