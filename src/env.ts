/**
 * Typed configuration read once from the Worker's vars and secrets. Nothing else reads env vars.
 *
 * Local development is recognised by LOCAL_DEV=true, which only `.dev.vars` (written by
 * `npm start`) and the tests' bindings (vitest.config.ts) set: wrangler reads `.dev.vars` under
 * `wrangler dev` only and never uploads it, so a deployed Worker does not have it. Without it,
 * a development or test configuration is refused (500 bad_environment on every request), so a
 * `wrangler deploy` of the top-level development vars fails closed instead of serving simulators
 * with local webhooks.
 */
import { z } from "zod";
import { GEMINI_LIVE_API_VERSIONS, type GeminiLiveApiVersion } from "./voice/gemini-live/messages";

const bool = z.enum(["true", "false"]).default("false");
const seconds = (d: number) => z.coerce.number().int().positive().default(d);

const ConfigSchema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("production"),
  /** Shorter than ADMIN_TOKEN_MIN characters (or empty) only turns /admin off, with a warning. */
  ADMIN_TOKEN: z.string().optional(),
  /** "true" only under `wrangler dev` (.dev.vars) and in tests; see the header. */
  LOCAL_DEV: bool,
  /** Platform default voice; Aoede with Gemini Live, marin with OpenAI Realtime. */
  DEFAULT_VOICE: z.string().optional(),
  VOICE_PROVIDER: z.enum(["gemini", "openai", "simulator"]).default("simulator"),
  TELEPHONY_PROVIDER: z.enum(["twilio", "simulator"]).optional(),
  /**
   * Our public origin: where the carrier reaches us (callbacks, media stream), and the origin of
   * recordingUrl and of the OpenAPI document's server. Required in production; elsewhere it
   * defaults to the request's origin.
   */
  PUBLIC_BASE_URL: z.url().optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/)
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  /**
   * The secret of the Webhooks SharedKey that signs callbacks a Webhooks Rule matches (HMAC-SHA256
   * or as its Setting says); without it, such callbacks are refused.
   */
  TWILIO_SHARED_KEY_SECRET: z.string().min(8).optional(),
  TWILIO_API_BASE: z.url().default("https://api.twilio.com"),
  /** Signs the built-in simulator's callbacks; required wherever the simulated carrier runs. */
  SIMULATOR_AUTH_TOKEN: z.string().min(8).optional(),
  /** One beat of the simulated carrier's script (ring, answer, talk), in ms. */
  SIMULATOR_PACE_MS: z.coerce.number().int().min(1).default(1000),
  ALLOW_SIMULATOR_IN_PRODUCTION: bool,
  /** Placements per minute for keys created without --rate-limit. */
  DEFAULT_RATE_LIMIT: z.coerce.number().int().positive().default(60),
  ALLOW_LOCAL_WEBHOOKS: bool,
  RING_TIMEOUT_SEC: seconds(30),
  MAX_CALL_SEC: seconds(600),
  /** First backoff step between carrier retries at call creation (doubles each time). */
  DIAL_RETRY_BASE_MS: z.coerce.number().int().positive().default(1000),
  GEMINI_API_KEY: z.string().min(8).optional(),
  /** Gemini Live's WebSocket origin. */
  GEMINI_LIVE_URL: z.url().default("wss://generativelanguage.googleapis.com"),
  GEMINI_LIVE_MODEL: z.string().default("gemini-3.8-live"),
  /** The Live API version in the WebSocket path; v1 is @google/genai's default, v1beta selectable. */
  GEMINI_LIVE_API_VERSION: z.enum(GEMINI_LIVE_API_VERSIONS).default("v1"),
  OPENAI_API_KEY: z.string().min(8).optional(),
  OPENAI_REALTIME_URL: z.url().default("wss://api.openai.com"),
  OPENAI_REALTIME_MODEL: z.string().default("gpt-realtime"),
  /** Summary and extraction: Gemini generateContent, or the simulator's deterministic analysis. */
  ANALYSIS_PROVIDER: z.enum(["gemini", "simulator"]).optional(),
  ANALYSIS_MODEL: z.string().default("gemini-3.8-flash"),
  GEMINI_API_BASE: z.url().default("https://generativelanguage.googleapis.com"),
  /** Longest post-call work (recording, analysis) before the terminal record goes out anyway. */
  POST_CALL_BOUND_MS: z.coerce.number().int().positive().default(90_000),
  /** How long a webhook receiver has to answer one delivery attempt. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The sweeper re-sends an event still pending this long after it was due (its message lost). */
  WEBHOOK_STALLED_AFTER_SEC: seconds(300),
});

export type TelephonyConfig = (
  | { provider: "twilio"; apiBase: string; accountSid: string; authToken: string }
  | { provider: "simulator"; accountSid: string; authToken: string; paceMs: number }
) & {
  /** Verifies callbacks signed by a Webhooks SharedKey (X-Twilio-Webhooks-Signature-Settings). */
  sharedKeySecret: string | undefined;
};

export type VoiceConfig =
  | {
      provider: "gemini";
      baseUrl: string;
      apiKey: string;
      model: string;
      apiVersion: GeminiLiveApiVersion;
    }
  | { provider: "openai"; baseUrl: string; apiKey: string; model: string }
  | { provider: "simulator"; model: string };

export type AnalysisConfig =
  | { mode: "gemini"; baseUrl: string; apiKey: string; model: string }
  | { mode: "simulator" };

export type Config = {
  voice: VoiceConfig;
  analysis: AnalysisConfig;
  environment: "development" | "test" | "production";
  adminToken: string | undefined;
  defaultVoice: string;
  voiceProvider: "gemini" | "openai" | "simulator";
  telephony: TelephonyConfig;
  publicBaseUrl: string | undefined;
  defaultRateLimit: number;
  /** Only local development may send webhooks over http to 127.0.0.1 / localhost. */
  allowLocalWebhooks: boolean;
  ringTimeoutSec: number;
  maxCallSec: number;
  dialRetryBaseMs: number;
  webhookTimeoutMs: number;
  webhookStalledAfterMs: number;
  postCallBoundMs: number;
};

/** The simulator's account, in Twilio's SID format. */
export const SIMULATOR_ACCOUNT_SID = `AC${"5".repeat(32)}`;

/** An admin token shorter than this is guessable: /admin stays off. */
const ADMIN_TOKEN_MIN = 16;

/** Reserved names (RFC 2606, RFC 6761) that cannot be a deployment's public origin. */
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;

const cache = new WeakMap<object, Config>();

/** The deployment's configuration is invalid; the HTTP layer answers 500 bad_environment. */
export class ConfigError extends Error {
  constructor(why: string) {
    super(`bad environment: ${why}`);
    this.name = "ConfigError";
  }
}

function refuse(why: string): never {
  console.error(`bad environment: ${why}`);
  throw new ConfigError(why);
}

export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) refuse(JSON.stringify(z.treeifyError(parsed.error)));
  const v = parsed.data;
  const production = v.ENVIRONMENT === "production";
  if (!production && v.LOCAL_DEV !== "true")
    refuse(
      `ENVIRONMENT=${v.ENVIRONMENT} outside local development (no LOCAL_DEV=true from .dev.vars): ` +
        "deploy with `npm run deploy` (wrangler deploy --env production)",
    );
  const publicBaseUrl = v.PUBLIC_BASE_URL?.replace(/\/+$/, "");
  if (production) {
    if (!publicBaseUrl) refuse("PUBLIC_BASE_URL is required in production");
    const origin = new URL(publicBaseUrl);
    if (origin.protocol !== "https:" || PLACEHOLDER_HOST.test(origin.hostname))
      refuse(`PUBLIC_BASE_URL must be this deployment's own https origin, not ${publicBaseUrl}`);
  }
  if (production && v.ALLOW_LOCAL_WEBHOOKS === "true")
    refuse("ALLOW_LOCAL_WEBHOOKS is refused in production");

  const hasTwilio = Boolean(v.TWILIO_ACCOUNT_SID && v.TWILIO_AUTH_TOKEN);
  const provider = v.TELEPHONY_PROVIDER ?? (hasTwilio ? "twilio" : "simulator");
  const simulatorAllowed = !production || v.ALLOW_SIMULATOR_IN_PRODUCTION === "true";
  if ((provider === "simulator" || v.VOICE_PROVIDER === "simulator") && !simulatorAllowed) {
    refuse("simulator providers in production need ALLOW_SIMULATOR_IN_PRODUCTION=true");
  }
  let telephony: TelephonyConfig;
  if (provider === "twilio") {
    if (!v.TWILIO_ACCOUNT_SID || !v.TWILIO_AUTH_TOKEN)
      refuse("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required");
    telephony = {
      provider,
      apiBase: v.TWILIO_API_BASE,
      accountSid: v.TWILIO_ACCOUNT_SID,
      authToken: v.TWILIO_AUTH_TOKEN,
      sharedKeySecret: v.TWILIO_SHARED_KEY_SECRET,
    };
  } else {
    // Random per deployment (`npm start` writes one into .dev.vars): a token anyone can read
    // would let anyone forge the simulated carrier's callbacks and drive its REST API.
    if (!v.SIMULATOR_AUTH_TOKEN)
      refuse("SIMULATOR_AUTH_TOKEN is required with TELEPHONY_PROVIDER=simulator");
    telephony = {
      provider,
      accountSid: SIMULATOR_ACCOUNT_SID,
      authToken: v.SIMULATOR_AUTH_TOKEN,
      paceMs: v.SIMULATOR_PACE_MS,
      sharedKeySecret: v.TWILIO_SHARED_KEY_SECRET,
    };
  }

  let voice: VoiceConfig;
  if (v.VOICE_PROVIDER === "gemini") {
    if (!v.GEMINI_API_KEY) refuse("GEMINI_API_KEY is required with VOICE_PROVIDER=gemini");
    voice = {
      provider: "gemini",
      baseUrl: v.GEMINI_LIVE_URL.replace(/\/+$/, ""),
      apiKey: v.GEMINI_API_KEY,
      model: v.GEMINI_LIVE_MODEL,
      apiVersion: v.GEMINI_LIVE_API_VERSION,
    };
  } else if (v.VOICE_PROVIDER === "openai") {
    if (!v.OPENAI_API_KEY) refuse("OPENAI_API_KEY is required with VOICE_PROVIDER=openai");
    voice = {
      provider: "openai",
      baseUrl: v.OPENAI_REALTIME_URL.replace(/\/+$/, ""),
      apiKey: v.OPENAI_API_KEY,
      model: v.OPENAI_REALTIME_MODEL,
    };
  } else {
    voice = { provider: "simulator", model: v.GEMINI_LIVE_MODEL };
  }

  const analysisMode =
    v.ANALYSIS_PROVIDER ?? (v.VOICE_PROVIDER === "simulator" ? "simulator" : "gemini");
  if (analysisMode === "simulator" && !simulatorAllowed)
    refuse("the simulated analysis in production needs ALLOW_SIMULATOR_IN_PRODUCTION=true");
  let analysis: AnalysisConfig;
  if (analysisMode === "gemini") {
    if (!v.GEMINI_API_KEY) refuse("GEMINI_API_KEY is required for post-call analysis with Gemini");
    analysis = {
      mode: "gemini",
      baseUrl: v.GEMINI_API_BASE.replace(/\/+$/, ""),
      apiKey: v.GEMINI_API_KEY,
      model: v.ANALYSIS_MODEL,
    };
  } else {
    analysis = { mode: "simulator" };
  }

  const config: Config = {
    voice,
    analysis,
    environment: v.ENVIRONMENT,
    adminToken: adminTokenOf(v.ADMIN_TOKEN),
    defaultVoice: v.DEFAULT_VOICE ?? (v.VOICE_PROVIDER === "openai" ? "marin" : "Aoede"),
    voiceProvider: v.VOICE_PROVIDER,
    telephony,
    publicBaseUrl,
    defaultRateLimit: v.DEFAULT_RATE_LIMIT,
    allowLocalWebhooks: v.ALLOW_LOCAL_WEBHOOKS === "true",
    ringTimeoutSec: v.RING_TIMEOUT_SEC,
    maxCallSec: v.MAX_CALL_SEC,
    dialRetryBaseMs: v.DIAL_RETRY_BASE_MS,
    webhookTimeoutMs: v.WEBHOOK_TIMEOUT_MS,
    webhookStalledAfterMs: v.WEBHOOK_STALLED_AFTER_SEC * 1000,
    postCallBoundMs: v.POST_CALL_BOUND_MS,
  };
  cache.set(env, config);
  return config;
}

/** A missing or short admin token turns /admin off (404); it never takes the rest of the API down. */
function adminTokenOf(token: string | undefined): string | undefined {
  if (token === undefined) {
    console.warn("ADMIN_TOKEN is not set: /admin is disabled");
    return undefined;
  }
  if (token.length < ADMIN_TOKEN_MIN) {
    console.warn(`ADMIN_TOKEN is shorter than ${ADMIN_TOKEN_MIN} characters: /admin is disabled`);
    return undefined;
  }
  return token;
}
