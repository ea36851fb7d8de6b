import { describe, expect, it } from "vitest";
import { canonicalLanguageTag, detectLanguage, resolveLanguage } from "../../src/domain/language";

const OBJECTIVE_EN = "Book a table for 4 at 7 PM Friday. Confirm the time and ask for their name.";
const OBJECTIVE_HE = "להזמין שולחן לארבעה ביום שישי בשבע בערב ולבקש את שם המארח";
const OBJECTIVE_RU = "Забронируйте столик на четверых на пятницу в 7 вечера и узнайте имя";

describe("resolveLanguage", () => {
  it("keeps an explicit tag, canonicalised", () => {
    expect(resolveLanguage("en-gb", OBJECTIVE_EN, undefined, "US")).toEqual({
      ok: true,
      value: { language: "en-GB", languageSource: "explicit" },
    });
  });
  it("passes auto through, in any case", () => {
    expect(resolveLanguage("AUTO", OBJECTIVE_EN, undefined, "US")).toEqual({
      ok: true,
      value: { language: "auto", languageSource: "auto" },
    });
  });
  it.each([
    [OBJECTIVE_EN, "GB", "en-GB"],
    [OBJECTIVE_EN, "US", "en-US"],
    [OBJECTIVE_EN, "AU", "en-AU"],
    [OBJECTIVE_EN, "IL", "en-US"],
    [OBJECTIVE_HE, "IL", "he-IL"],
    [OBJECTIVE_HE, "US", "he-IL"],
    [OBJECTIVE_RU, "US", "ru-RU"],
    [OBJECTIVE_RU, "IL", "ru-RU"],
    ["Réserver une table pour quatre personnes vendredi à dix-neuf heures", "CA", "fr-CA"],
    ["Pide una mesa para cuatro personas el viernes a las siete de la tarde", "US", "es-US"],
    ["Buchen Sie einen Tisch für vier Personen am Freitag um sieben Uhr", "GB", "de-DE"],
  ])("infers %s to %s as %s", (objective, region, language) => {
    expect(resolveLanguage(undefined, objective, undefined, region)).toEqual({
      ok: true,
      value: { language, languageSource: "inferred" },
    });
  });
  it("reads the context too", () => {
    const got = resolveLanguage(
      undefined,
      "Call Bob",
      "Спросите, когда он вернёт книгу, которую взял в марте",
      "US",
    );
    expect(got).toEqual({ ok: true, value: { language: "ru-RU", languageSource: "inferred" } });
  });
  it.each(["Call Bob", "ok", "1234 5678", "hello hola bonjour ciao"])(
    "falls back to auto when unsure: %j",
    (objective) => {
      expect(resolveLanguage(undefined, objective, undefined, "US")).toEqual({
        ok: true,
        value: { language: "auto", languageSource: "auto" },
      });
    },
  );
  it.each(["english", "e", "en_US", "en-", "123", "en-US-x-toolongsubtagvalue", ""])(
    "rejects malformed tag %j",
    (tag) => {
      expect(resolveLanguage(tag, OBJECTIVE_EN, undefined, "US")).toEqual({
        ok: false,
        error: "invalid_language",
      });
    },
  );
});

describe("detectLanguage", () => {
  it("tells Russian from Ukrainian by their own letters", () => {
    expect(detectLanguage("Забронюйте столик на чотирьох на пʼятницю о сьомій")).toBe("uk");
    expect(
      detectLanguage("Спросите его, когда он вернёт книгу, которую взял в марте. Это важно."),
    ).toBe("ru");
  });
  it("is unsure between close relatives when nothing decides", () => {
    expect(detectLanguage("hello hola bonjour ciao")).toBeUndefined();
  });
  it("canonicalLanguageTag keeps script subtags", () => {
    expect(canonicalLanguageTag("zh-hant-tw")).toEqual({ ok: true, value: "zh-Hant-TW" });
  });
});
