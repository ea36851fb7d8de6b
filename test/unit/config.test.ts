import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, readConfig } from "../../src/env";

const env = (vars: Record<string, string>) => vars as unknown as Env;

/** What `npm start` writes into .dev.vars: the only place LOCAL_DEV is ever set. */
const LOCAL = {
  ENVIRONMENT: "development",
  LOCAL_DEV: "true",
  SIMULATOR_AUTH_TOKEN: "r4nd0m-l0cal-t0ken-0123456789",
};

const PRODUCTION = {
  ENVIRONMENT: "production",
  PUBLIC_BASE_URL: "https://voice.acme-calls.com",
  TWILIO_ACCOUNT_SID: `AC${"b".repeat(32)}`,
  TWILIO_AUTH_TOKEN: "secret-token",
  VOICE_PROVIDER: "gemini",
  GEMINI_API_KEY: "gemini-key",
};

afterEach(() => vi.restoreAllMocks());

describe("configuration", () => {
  it("defaults to the simulators without credentials, and to Twilio with them", () => {
    expect(readConfig(env(LOCAL)).telephony).toEqual({
      provider: "simulator",
      accountSid: `AC${"5".repeat(32)}`,
      authToken: LOCAL.SIMULATOR_AUTH_TOKEN,
      paceMs: 1000,
    });
    const twilio = readConfig(
      env({
        ...LOCAL,
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

  const refused: [Record<string, string | undefined>, string][] = [
    [{ ...PRODUCTION, TELEPHONY_PROVIDER: "simulator" }, "simulator providers in production"],
    [
      {
        ...PRODUCTION,
        ALLOW_LOCAL_WEBHOOKS: "true",
        ALLOW_SIMULATOR_IN_PRODUCTION: "true",
        SIMULATOR_AUTH_TOKEN: "x".repeat(12),
      },
      "ALLOW_LOCAL_WEBHOOKS is refused in production",
    ],
    [
      { ...PRODUCTION, TELEPHONY_PROVIDER: "simulator", ALLOW_SIMULATOR_IN_PRODUCTION: "true" },
      "SIMULATOR_AUTH_TOKEN is required",
    ],
    [{ ...LOCAL, VOICE_PROVIDER: "gemini" }, "GEMINI_API_KEY is required"],
    [{ ...LOCAL, VOICE_PROVIDER: "openai" }, "OPENAI_API_KEY is required"],
    [{ ...LOCAL, TELEPHONY_PROVIDER: "twilio" }, "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"],
    [{ ...LOCAL, ENVIRONMENT: "staging" }, "ENVIRONMENT"],
    // A deployed Worker never has .dev.vars, so it never has LOCAL_DEV.
    [{ ...LOCAL, LOCAL_DEV: "false" }, "ENVIRONMENT=development outside local development"],
    [{ ENVIRONMENT: "development" }, "ENVIRONMENT=development outside local development"],
    [
      { ENVIRONMENT: "test", SIMULATOR_AUTH_TOKEN: LOCAL.SIMULATOR_AUTH_TOKEN },
      "ENVIRONMENT=test outside local development",
    ],
    // No public constant signs simulated callbacks: the token is random per deployment.
    [{ ENVIRONMENT: "development", LOCAL_DEV: "true" }, "SIMULATOR_AUTH_TOKEN is required"],
    [{ ...PRODUCTION, PUBLIC_BASE_URL: undefined }, "PUBLIC_BASE_URL is required in production"],
    [{ ...PRODUCTION, PUBLIC_BASE_URL: "http://voice.acme-calls.com" }, "PUBLIC_BASE_URL"],
    [{ ...PRODUCTION, PUBLIC_BASE_URL: "https://voice.example.com" }, "PUBLIC_BASE_URL"],
  ];
  it.each(refused.map(([vars, why]) => [why, vars] as const))(
    "refuses it, logging why: %s",
    (why, vars) => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
      const defined: Record<string, string> = {};
      for (const [name, value] of Object.entries(vars))
        if (value !== undefined) defined[name] = value;
      expect(() => readConfig(env(defined))).toThrow(ConfigError);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("bad environment: "));
      expect(String(logged.mock.calls[0]?.[0])).toContain(why);
    },
  );

  it("runs production on Twilio, Gemini Live and Gemini analysis", () => {
    const config = readConfig(env(PRODUCTION));
    expect(config.telephony.provider).toBe("twilio");
    // The Live API version @google/genai connects with by default; v1beta is selectable.
    expect(config.voice).toMatchObject({
      provider: "gemini",
      model: "gemini-3.8-live",
      apiVersion: "v1",
    });
    expect(
      readConfig(env({ ...PRODUCTION, GEMINI_LIVE_API_VERSION: "v1beta" })).voice,
    ).toMatchObject({ apiVersion: "v1beta" });
    expect(config.analysis).toMatchObject({ mode: "gemini", model: "gemini-3.8-flash" });
    expect(config.allowLocalWebhooks).toBe(false);
    expect(config.defaultVoice).toBe("Aoede");
    expect(config.publicBaseUrl).toBe("https://voice.acme-calls.com");
  });

  it.each([
    ["", "empty"],
    ["short-token", "shorter than 16 characters"],
  ])("an ADMIN_TOKEN %j (%s) only turns /admin off, with a warning", (token) => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const config = readConfig(env({ ...PRODUCTION, ADMIN_TOKEN: token }));
    expect(config.adminToken).toBeUndefined();
    expect(warned).toHaveBeenCalledWith(expect.stringContaining("/admin is disabled"));
  });

  it("uses OpenAI's default voice with VOICE_PROVIDER=openai", () => {
    expect(
      readConfig(
        env({
          ...LOCAL,
          VOICE_PROVIDER: "openai",
          OPENAI_API_KEY: "sk-test-123",
          GEMINI_API_KEY: "gemini-key",
        }),
      ).defaultVoice,
    ).toBe("marin");
  });
});
