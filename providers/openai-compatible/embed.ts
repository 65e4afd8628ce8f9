// POST {base_url}/embeddings in OpenAI's shape, which DashScope, Zhipu, Moonshot and OpenAI share.
import { protocolError } from '../../src/kit/errors.js'
import { asObject } from '../../src/kit/json.js'
import type { CallContext, EmbeddingRequest, EmbeddingResult } from '../../src/kit/types.js'

export interface EmbedSettings {
  headers: Record<string, string>
  embeddings_path: string
}

export function buildEmbeddingBody(req: EmbeddingRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...req.extra, model: req.model, input: req.input }
  if (req.encodingFormat) body.encoding_format = req.encodingFormat
  if (req.dimensions !== undefined) body.dimensions = req.dimensions
  if (req.user) body.user = req.user
  return body
}

const isVector = (v: unknown): v is number[] | string => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'number'))

/** The upstream's list → one vector per input, in input order (items carry their index). */
export function parseEmbeddings(raw: unknown, inputs: number, provider: string): EmbeddingResult {
  const body = asObject(raw)
  const data = Array.isArray(body?.data) ? body.data : undefined
  const fail = (why: string) => protocolError(`${provider} returned ${why}`, { provider })
  if (!data) throw fail('an embeddings answer without data')
  const vectors: (number[] | string)[] = new Array(inputs)
  for (const [position, item] of data.entries()) {
    const entry = asObject(item)
    const index = typeof entry?.index === 'number' ? entry.index : position
    if (!isVector(entry?.embedding) || index < 0 || index >= inputs || vectors[index] !== undefined) throw fail('a malformed embedding item')
    vectors[index] = entry.embedding
  }
  if (data.length !== inputs) throw fail(`${data.length} embeddings for ${inputs} inputs`)
  const promptTokens = asObject(body?.usage)?.prompt_tokens
  return typeof promptTokens === 'number' ? { vectors, promptTokens } : { vectors }
}

export async function embed(name: string, req: EmbeddingRequest, ctx: CallContext<EmbedSettings>): Promise<EmbeddingResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...ctx.settings.headers }
  if (ctx.credential.secret) headers.authorization = `Bearer ${ctx.credential.secret}`
  const res = await ctx.http.ok(ctx.settings.base_url + ctx.settings.embeddings_path, {
    json: buildEmbeddingBody(req),
    headers,
    signal: ctx.signal,
  })
  return parseEmbeddings(await res.json(), req.input.length, name)
}
