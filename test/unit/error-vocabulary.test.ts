/**
 * The README documents the closed error vocabularies: every HTTP error token of src/errors.ts,
 * with the status the table gives it, and exactly the call error tokens of src/domain/call-errors.
 */
import { describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { CALL_ERRORS } from "../../src/domain/call-errors";
import {
  ERROR_TOKENS,
  type ErrorToken,
  isErrorToken,
  statusOf,
} from "../../src/domain/error-tokens";

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

const api = section(readme, "API");

/** The markdown table that follows "`failed` with an `error`:", as token → meaning. */
function callErrorTable(): Record<string, string> {
  const lines = api.slice(api.indexOf("`failed` with an `error`:")).split("\n").slice(1);
  const start = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith("|"));
  // The first two rows are the header and its separator.
  const rows = lines.slice(start + 2, end);
  const table: Record<string, string> = {};
  for (const row of rows) {
    const [, token, meaning] = row.split("|").map((cell) => cell.trim());
    table[(token ?? "").replaceAll("`", "")] = meaning ?? "";
  }
  return table;
}

describe("README: call errors", () => {
  it("lists exactly the call error tokens, each with its description", () => {
    expect(callErrorTable()).toEqual(CALL_ERRORS);
  });
});

describe("README: HTTP error tokens", () => {
  it.each(ERROR_TOKENS)("mentions %s in the API section", (token) => {
    expect(api).toContain(`\`${token}\``);
  });

  it("gives every token it writes after a status the status of the table", () => {
    const mentions = [...api.matchAll(/\b([1-5]\d\d)\s+`([a-z_]+)`/g)].flatMap(
      ([, status, token]) =>
        token && isErrorToken(token) ? [[token, Number(status)] as [ErrorToken, number]] : [],
    );
    expect(mentions.length).toBeGreaterThan(15);
    for (const [token, status] of mentions)
      expect([token, status]).toEqual([token, statusOf(token)]);
  });
});
