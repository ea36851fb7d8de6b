/**
 * The agent's tools (domain/agent-tools.ts) in each provider's wire form: Gemini takes OpenAPI
 * schemas with upper-case types (as @google/genai sends them), OpenAI Realtime JSON Schema.
 */
import type { FunctionDeclaration } from "@google/genai";
import type { ToolDeclaration, ToolParameter } from "../domain/tool";
import type { OpenAiClientEvent } from "./openai-realtime/events";
import type { Wire } from "./wire";

type GeminiSchema = NonNullable<Wire<FunctionDeclaration>["parameters"]>;
type OpenAiSessionTools = Extract<
  OpenAiClientEvent,
  { type: "session.update" }
>["session"] extends infer S
  ? S extends { tools?: infer T }
    ? T
    : never
  : never;

function geminiSchema(p: ToolParameter): GeminiSchema {
  if (p.type === "array") {
    return { type: "ARRAY", items: geminiSchema(p.items), description: p.description };
  }
  return {
    type:
      p.type === "string"
        ? "STRING"
        : p.type === "boolean"
          ? "BOOLEAN"
          : p.type === "integer"
            ? "INTEGER"
            : "NUMBER",
    ...(p.description ? { description: p.description } : {}),
    ...(p.enum ? { enum: [...p.enum] } : {}),
  };
}

export function geminiFunctionDeclarations(
  tools: readonly ToolDeclaration[],
): Wire<FunctionDeclaration>[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: {
      type: "OBJECT",
      properties: Object.fromEntries(
        Object.entries(t.parameters.properties).map(([k, v]) => [k, geminiSchema(v)]),
      ),
      required: [...t.parameters.required],
    },
  }));
}

function jsonSchema(p: ToolParameter): Record<string, unknown> {
  if (p.type === "array") {
    return {
      type: "array",
      items: jsonSchema(p.items),
      ...(p.description ? { description: p.description } : {}),
    };
  }
  return {
    type: p.type,
    ...(p.description ? { description: p.description } : {}),
    ...(p.enum ? { enum: [...p.enum] } : {}),
  };
}

export function openAiTools(tools: readonly ToolDeclaration[]): OpenAiSessionTools {
  return tools.map((t) => ({
    type: "function" as const,
    name: t.name,
    description: t.description,
    parameters: {
      type: "object",
      properties: Object.fromEntries(
        Object.entries(t.parameters.properties).map(([k, v]) => [k, jsonSchema(v)]),
      ),
      required: [...t.parameters.required],
    },
  }));
}
