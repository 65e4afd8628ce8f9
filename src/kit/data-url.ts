// Inline media as clients send it: `data:<mime>;base64,<data>`.

/** A data: URL → its mime type and raw base64; undefined for anything else (http URLs). */
export function dataUrlParts(url: string): { mime: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url)
  return m ? { mime: m[1]!, data: m[2]! } : undefined
}
