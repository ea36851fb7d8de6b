/**
 * The opaque `nextCursor` of a paged list: the last row's two keys (its creation time and its
 * id or number), as URL-safe base64 of a JSON pair. Pure.
 */
export function encodeCursor(pair: readonly [string, string]): string {
  return btoa(JSON.stringify(pair)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The pair a cursor names, or null when it is not one of ours. */
export function decodeCursor(cursor: string): [string, string] | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string"
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // not one of ours
  }
  return null;
}
