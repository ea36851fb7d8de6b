import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/env";

const env = (vars: Record<string, string>) => vars as unknown as Env;

describe("configuration", () => {
  it("defaults to the simulators without credentials, and to Twilio with them", () => {
    expect(readConfig(env({ ENVIRONMENT: "development" })).telephony.provider).toBe("simulator");
    const twilio = readConfig(
      env({
        ENVIRONMENT: "development",
        TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
        TWILIO_AUTH_TOKEN: "secret-token",
      }),
    );
    expect(twilio.telephony).toEqual({
      provider: "twilio",
      apiBase: "https://api.twilio.com",
      accountSid: `AC${"a".repeat(32)}`,
      authToken: "secret-token",
    });
  });

  it.each([
    [{ ENVIRONMENT: "production" }, "simulator carrier and voice in production"],
    [
      {
        ENVIRONMENT: "production",
        ALLOW_LOCAL_WEBHOOKS: "true",
        ALLOW_SIMULATOR_IN_PRODUCTION: "true",
        SIMULATOR_AUTH_TOKEN: "x".repeat(12),
      },
      "local webhooks in production",
    ],
    [
      { ENVIRONMENT: "production", ALLOW_SIMULATOR_IN_PRODUCTION: "true" },
      "a simulator in production without its own token",
    ],
    [{ ENVIRONMENT: "development", VOICE_PROVIDER: "gemini" }, "Gemini without GEMINI_API_KEY"],
    [{ ENVIRONMENT: "development", VOICE_PROVIDER: "openai" }, "OpenAI without OPENAI_API_KEY"],
    [{ ENVIRONMENT: "development", TELEPHONY_PROVIDER: "twilio" }, "Twilio without credentials"],
    [{ ENVIRONMENT: "staging" }, "an unknown environment"],
  ])("refuses %j (%s) with a ConfigError", (vars, _why) => {
    expect(() => readConfig(env(vars))).toThrow(ConfigError);
  });

  it("runs production on Twilio, Gemini Live and Gemini analysis", () => {
    const config = readConfig(
      env({
        ENVIRONMENT: "production",
        TWILIO_ACCOUNT_SID: `AC${"b".repeat(32)}`,
        TWILIO_AUTH_TOKEN: "secret-token",
        VOICE_PROVIDER: "gemini",
        GEMINI_API_KEY: "gemini-key",
      }),
    );
    expect(config.telephony.provider).toBe("twilio");
    expect(config.voice).toMatchObject({ provider: "gemini", model: "gemini-3.8-live" });
    expect(config.analysis).toMatchObject({ mode: "gemini", model: "gemini-3.8-flash" });
    expect(config.allowLocalWebhooks).toBe(false);
    expect(config.defaultVoice).toBe("Aoede");
  });

  it("uses OpenAI's default voice with VOICE_PROVIDER=openai", () => {
    expect(
      readConfig(
        env({
          ENVIRONMENT: "development",
          VOICE_PROVIDER: "openai",
          OPENAI_API_KEY: "sk-test-123",
          GEMINI_API_KEY: "gemini-key",
        }),
      ).defaultVoice,
    ).toBe("marin");
  });
});
