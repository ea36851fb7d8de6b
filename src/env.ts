/**
 * Typed configuration read once from the Worker's vars and secrets. Nothing else reads env vars.
 */
import { z } from "zod";
import { ApiError } from "./errors";

const ConfigSchema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "production"]).default("production"),
  ADMIN_TOKEN: z.string().min(16).optional(),
  DEFAULT_VOICE: z.string().default("Aoede"),
  VOICE_PROVIDER: z.enum(["gemini", "openai", "simulator"]).default("simulator"),
  TELEPHONY_PROVIDER: z.enum(["twilio", "simulator"]).default("simulator"),
  /** Placements per minute for keys created without --rate-limit. */
  DEFAULT_RATE_LIMIT: z.coerce.number().int().positive().default(60),
  ALLOW_LOCAL_WEBHOOKS: z.enum(["true", "false"]).default("false"),
});

export type Config = {
  environment: "development" | "test" | "production";
  adminToken: string | undefined;
  defaultVoice: string;
  voiceProvider: "gemini" | "openai" | "simulator";
  telephonyProvider: "twilio" | "simulator";
  defaultRateLimit: number;
  /** Only local development may send webhooks over http to 127.0.0.1 / localhost. */
  allowLocalWebhooks: boolean;
};

const cache = new WeakMap<object, Config>();

export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    console.error("bad environment", JSON.stringify(z.treeifyError(parsed.error)));
    throw new ApiError("bad_environment");
  }
  const v = parsed.data;
  if (v.ENVIRONMENT === "production" && v.ALLOW_LOCAL_WEBHOOKS === "true") {
    console.error("bad environment: ALLOW_LOCAL_WEBHOOKS is refused in production");
    throw new ApiError("bad_environment");
  }
  const config: Config = {
    environment: v.ENVIRONMENT,
    adminToken: v.ADMIN_TOKEN,
    defaultVoice: v.DEFAULT_VOICE,
    voiceProvider: v.VOICE_PROVIDER,
    telephonyProvider: v.TELEPHONY_PROVIDER,
    defaultRateLimit: v.DEFAULT_RATE_LIMIT,
    allowLocalWebhooks: v.ALLOW_LOCAL_WEBHOOKS === "true",
  };
  cache.set(env, config);
  return config;
}
