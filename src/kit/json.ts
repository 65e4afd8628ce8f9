// Defensive JSON access for upstream payloads whose shapes drift.
export type Json = Record<string, unknown>

/** The value as a plain object, or undefined for arrays, primitives and null. */
export function asObject(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
}

/** asObject as a type guard. */
export const isObject = (v: unknown): v is Json => asObject(v) !== undefined

/** JSON.parse that yields undefined instead of throwing; non-strings pass through unchanged. */
export function tryJson(text: unknown): unknown {
  if (typeof text !== 'string') return text
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
