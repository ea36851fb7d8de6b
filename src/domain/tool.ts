/**
 * What a tool is, between the voice model and the engine: its declaration (pure data each provider
 * turns into its wire form), one call of it by the model, and what the model is told back. The
 * capability modules declare their tools with these; agent-tools.ts picks the ones a call offers.
 */
export type ToolParameter =
  | {
      type: "string" | "number" | "integer" | "boolean";
      description?: string;
      enum?: readonly string[];
    }
  | { type: "array"; items: ToolParameter; description?: string };

export type ToolDeclaration = {
  name: string;
  description: string;
  parameters: { properties: Record<string, ToolParameter>; required: readonly string[] };
};

/** One call of a tool by the model; `id` is the provider's, echoed in the result. */
export type ToolCall = { id: string; name: string; args: Record<string, unknown> };

/** What the model is told a tool did (a JSON object). */
export type ToolResult = Record<string, unknown>;

/** A string argument of a tool call, or undefined when the model sent something else. */
export function stringArg(call: ToolCall, name: string): string | undefined {
  const value = call.args[name];
  return typeof value === "string" ? value : undefined;
}
