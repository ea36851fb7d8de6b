import { describe, expect, it } from "vitest";
import {
  disclosureOf,
  disclosureSentence,
  FALLBACK_PRINCIPAL,
  type FirstLine,
  principalName,
} from "../../src/domain/disclosure";

const facts = { onBehalfOf: "Acme Dental", recorded: true };
const agent = (text: string, offsetMs = 400): FirstLine => ({ speaker: "agent", text, offsetMs });
const recipient = (text: string): FirstLine => ({ speaker: "recipient", text, offsetMs: 0 });

describe("disclosureOf: the transcript's first agent line", () => {
  it("is spoken with the sentence the agent is told to say", () => {
    const line = agent(`${disclosureSentence(facts)} I'm calling about your appointment.`, 650);
    expect(disclosureOf([recipient("Hello?"), line], facts)).toEqual({ spoken: true, atMs: 650 });
  });

  it.each([
    ["without an AI statement", "Hi, I'm calling on behalf of Acme Dental. This call is recorded."],
    ["without the name", "Hi, this is an AI assistant. This call is recorded."],
    ["without the recording statement", "Hi, this is an AI assistant for Acme Dental."],
    [
      "with 'AI' only as part of a word",
      "Hi, this is Aileen, an assistant of Acme Dental, recorded.",
    ],
  ])("is not spoken %s", (_, text) => {
    expect(disclosureOf([agent(text)], facts)).toEqual({ spoken: false, atMs: 400 });
  });

  it("needs no recording statement when the call is not recorded", () => {
    const text = "Hello, this is an AI assistant calling on behalf of Acme Dental.";
    expect(disclosureOf([agent(text)], { ...facts, recorded: false }).spoken).toBe(true);
  });

  it("only the first agent line counts", () => {
    const lines = [agent("Hello?"), agent(disclosureSentence(facts), 900)];
    expect(disclosureOf(lines, facts)).toEqual({ spoken: false, atMs: 400 });
  });

  it("no agent line: not spoken, no offset", () => {
    expect(disclosureOf([recipient("Hello?")], facts)).toEqual({ spoken: false, atMs: null });
  });

  it("folds case and spacing of the name", () => {
    const text = "Hi, an A.I. assistant here for ACME  dental; this call is being recorded.";
    expect(disclosureOf([agent(text)], facts).spoken).toBe(true);
  });

  it.each([
    [
      "French",
      "Bonjour, je suis un assistant IA qui appelle au nom de Acme Dental. Cet appel est enregistré.",
    ],
    [
      "Spanish",
      "Hola, soy un asistente de IA que llama en nombre de Acme Dental. Esta llamada es grabada.",
    ],
    [
      "German",
      "Hallo, hier ist ein KI-Assistent im Auftrag von Acme Dental. Dieses Gespräch wird aufgezeichnet.",
    ],
  ])("recognises %s", (_, text) => {
    expect(disclosureOf([agent(text)], facts).spoken).toBe(true);
  });
});

describe("principalName", () => {
  it("prefers the request's name, then the account's, then the neutral fallback", () => {
    expect(principalName("Luigi's", "Acme")).toBe("Luigi's");
    expect(principalName(null, "Acme")).toBe("Acme");
    expect(principalName(undefined, "  ")).toBe(FALLBACK_PRINCIPAL);
  });
});
