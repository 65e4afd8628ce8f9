// hix.ai calls: tRPC createChat / deleteChat / credit query, the chat stream, the session, and
// the signed-URL image upload. Every reply that is not the expected shape becomes a typed error.
import { tryJson } from '../../src/kit/json.js'
import { invalidRequest, protocolError } from '../../src/kit/errors.js'
import type { HttpResponse } from '../../src/kit/http.js'
import type { CallContext } from '../../src/kit/types.js'
import { baseHeaders } from './auth.js'
import { CREDIT_QUERY_INPUT, PATHS, PROVIDER_ID } from './constants.js'
import {
  type Credits,
  type HixEnvelope,
  type SubUsage,
  cloudflareError,
  creditsOf,
  envelopeError,
  httpFailure,
  isCloudflarePage,
  trpcResults,
} from './parse.js'

export interface HixSettings {
  user_agent: string
  fold_history: boolean
  reuse_last_pair: boolean
  pair_cache_size: number
  image_max_bytes: number
}
export type HixContext = CallContext<HixSettings>


function headers(ctx: HixContext, extra: Record<string, string> = {}): Record<string, string> {
  return { ...baseHeaders(ctx.credential.secret, ctx.settings.base_url, ctx.settings.user_agent), ...extra }
}

async function failure(res: HttpResponse): Promise<never> {
  const body = await res.text().catch(() => '')
  throw httpFailure(res.status, body, res.header('cf-mitigated'))
}

async function trpc<T>(ctx: HixContext, path: string, body?: unknown, signal = ctx.signal): Promise<(T | undefined)[]> {
  const res = await ctx.http.request(ctx.settings.base_url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: headers(ctx, { accept: 'application/json' }),
    ...(body === undefined ? {} : { json: body }),
    signal,
  })
  if (res.status < 200 || res.status >= 300) return failure(res)
  return trpcResults<T>(await res.text())
}

export async function createChat(ctx: HixContext, botId: number): Promise<string> {
  const [created] = await trpc<{ id?: string | number }>(ctx, PATHS.createChat, { 0: { json: { title: 'Untitled', botId } } })
  if (created?.id === undefined || created.id === '') throw protocolError(`${PROVIDER_ID}: createChat returned no chat id`)
  return String(created.id)
}

export async function deleteChat(ctx: HixContext, chatId: string, signal?: AbortSignal): Promise<void> {
  await trpc(ctx, PATHS.deleteChat, { 0: { json: { id: chatId } } }, signal)
}

export async function fetchCredits(ctx: HixContext): Promise<Credits> {
  const input = encodeURIComponent(JSON.stringify(CREDIT_QUERY_INPUT))
  const results = await trpc<SubUsage>(ctx, `${PATHS.credit}?batch=1&input=${input}`)
  return creditsOf(results[results.length - 1])
}

/** next-auth's session endpoint names the account; `{}` means the cookie is not logged in. */
export async function fetchAccount(ctx: HixContext): Promise<string | undefined> {
  const res = await ctx.http.request(ctx.settings.base_url + PATHS.session, {
    headers: headers(ctx, { accept: 'application/json' }),
    signal: ctx.signal,
  })
  if (res.status !== 200) {
    await res.discard()
    return undefined
  }
  const session = tryJson(await res.text()) as { user?: { email?: string; name?: string } } | undefined
  return session?.user?.email ?? session?.user?.name ?? undefined
}

export interface ChatBody {
  chatId: string
  question: string
  fileUrl: string
  search?: boolean
  searchType?: string
}

/** Opens the stream; a JSON envelope or HTML page where SSE was expected throws instead. */
export async function openChatStream(ctx: HixContext, model: string, body: ChatBody): Promise<AsyncIterable<Uint8Array>> {
  const origin = ctx.settings.base_url
  const res = await ctx.http.request(origin + PATHS.chat, {
    method: 'POST',
    headers: headers(ctx, { accept: 'text/event-stream', referer: `${origin}/${model}?/id=${body.chatId}` }),
    json: body,
    signal: ctx.signal,
  })
  if (res.status < 200 || res.status >= 300) return failure(res)
  const type = res.header('content-type') ?? ''
  if (type.includes('text/event-stream')) return res.body
  const text = await res.text()
  if (isCloudflarePage(text, res.header('cf-mitigated'))) throw cloudflareError(res.status)
  if (type.includes('html') || text.trimStart().startsWith('<'))
    throw protocolError(`${PROVIDER_ID}: an HTML page instead of the chat stream`, { provider: PROVIDER_ID })
  const env = tryJson(text) as HixEnvelope | undefined
  if (env && typeof env === 'object') throw envelopeError(env, res.status)
  // Some replies come without a content type; they are still line-framed SSE.
  return (async function* () {
    yield new TextEncoder().encode(text)
  })()
}

export interface ImageData {
  bytes: Uint8Array
  mime: string
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/gif': '.gif', 'image/webp': '.webp' }

/** `yyyyMMddHHmmss<.ext>`, the name the browser signs uploads with. */
export function uploadFilename(mime: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14)
  return stamp + (EXTENSIONS[mime] ?? `.${(mime.split('/')[1] ?? 'bin').replace(/\W/g, '')}`)
}

/** Resolves a data: URL or downloads an http(s) image, within the size limit. */
export async function loadImage(ctx: HixContext, url: string): Promise<ImageData> {
  const limit = ctx.settings.image_max_bytes
  const data = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url)
  if (data) {
    const raw = data[3] ?? ''
    const bytes = data[2] ? Buffer.from(raw, 'base64') : Buffer.from(decodeURIComponent(raw), 'utf8')
    if (bytes.length > limit) throw invalidRequest(`${PROVIDER_ID}: image larger than ${limit} bytes`)
    return { bytes, mime: data[1] ?? 'application/octet-stream' }
  }
  if (!/^https?:\/\//i.test(url)) throw invalidRequest(`${PROVIDER_ID}: image_url must be a data: or http(s) URL`)
  const res = await ctx.http.request(url, { signal: ctx.signal })
  if (res.status !== 200) {
    await res.discard()
    throw invalidRequest(`${PROVIDER_ID}: could not download the image (HTTP ${res.status})`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += chunk.length
    if (size > limit) throw invalidRequest(`${PROVIDER_ID}: image larger than ${limit} bytes`)
    chunks.push(Buffer.from(chunk))
  }
  return { bytes: Buffer.concat(chunks), mime: (res.header('content-type') ?? 'image/png').split(';')[0]!.trim() }
}

/** Ask hix for a presigned S3 URL, PUT the bytes there; the file URL is the signed URL without its query. */
export async function uploadImage(ctx: HixContext, image: ImageData): Promise<string> {
  const res = await ctx.http.request(ctx.settings.base_url + PATHS.uploadSign, {
    method: 'POST',
    headers: headers(ctx, { accept: 'application/json' }),
    json: { filename: uploadFilename(image.mime), type: 'file' },
    signal: ctx.signal,
  })
  if (res.status !== 200) return failure(res)
  const signed = (tryJson(await res.text()) as { sign?: string } | undefined)?.sign
  if (!signed) throw protocolError(`${PROVIDER_ID}: upload/sign returned no signed URL`, { provider: PROVIDER_ID })
  const put = await ctx.http.request(signed, {
    method: 'PUT',
    headers: { 'content-type': image.mime },
    body: image.bytes,
    signal: ctx.signal,
  })
  const answer = await put.text().catch(() => '')
  if (put.status !== 200)
    throw protocolError(`${PROVIDER_ID}: image upload to the signed URL failed (HTTP ${put.status}) ${answer.slice(0, 120)}`, {
      provider: PROVIDER_ID,
      upstreamStatus: put.status,
    })
  const u = new URL(signed)
  return `${u.protocol}//${u.host}${u.pathname}`
}
