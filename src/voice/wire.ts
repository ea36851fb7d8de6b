/**
 * The JSON an SDK type describes on the wire, for checking the messages we build and read
 * against the providers' own client libraries (type-only: nothing of them is bundled).
 *
 * `@google/genai` types enum fields with TypeScript string enums (`Type.OBJECT`,
 * `StartSensitivity.START_SENSITIVITY_LOW`), to which a JSON string literal is not assignable; on
 * the wire they are those strings, so `Wire<T>` turns every string enum into the union of its
 * values, and drops interfaces that carry functions (the SDK's `CallableTool`), which are never
 * sent. Everything else is kept as the SDK declares it, so a misspelt field, a wrong enum value
 * or a lower-case schema type in a message that `satisfies Wire<…>` fails `npm run typecheck`.
 */
type AnyFunction = (...args: never[]) => unknown;

type FunctionKeys<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends AnyFunction ? K : never;
}[keyof T];

export type Wire<T> = T extends string
  ? `${T}`
  : T extends number | boolean | bigint | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Wire<U>[]
      : T extends AnyFunction
        ? never
        : T extends object
          ? [FunctionKeys<T>] extends [never]
            ? { [K in keyof T]: Wire<T[K]> }
            : never
          : T;
