// chat.z.ai's stream (notes §3.1): `data: {"type":"chat:completion","data":{phase, delta_content |
// content | edit_content + edit_index, usage, done, error}}`, then `[DONE]`. The ops build one
// buffer (edit_index counts UTF-16 code units, which is what JS string indexes are); the thinking
// sits at its start inside `<details type="reasoning">` with `> `-quoted lines. Each frame the
// buffer is split into reasoning and answer, and only their growth goes out.
import { CumulativeText } from '../../src/kit/cumulative.js'
import { type UpstreamError, credentialInvalid, protocolError, rateLimited, upstreamUnavailable } from '../../src/kit/errors.js'
import { type Json, asObject, tryJson } from '../../src/kit/json.js'
import { type SseEvent, readSse } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { PROVIDER_ID } from './constants.js'

const provider = PROVIDER_ID
export const CAPTCHA_CODE = 'FRONTEND_CAPTCHA_REQUIRED'
/** How long a credential rests after a captcha demand: an operator has to act. */
export const CAPTCHA_COOLDOWN_MS = 30 * 60_000

/** Apply one frame's op to the buffer: `content` replaces, `edit_content` cuts at edit_index, `delta_content` appends. */
export function applyZaiOp(buf: string, data: Json): string {
  let next = buf
  if (typeof data.content === 'string') next = data.content
  if (typeof data.edit_content === 'string' && typeof data.edit_index === 'number')
    next = next.slice(0, Math.max(0, Math.min(data.edit_index, next.length))) + data.edit_content
  if (typeof data.delta_content === 'string') next += data.delta_content
  return next
}

const OPEN = /^\s*<details\b[^>]*>/
const CLOSE = '</details>'

/** A start of the buffer that may still become the opening tag: wait before calling it text. */
function partialOpening(buf: string): boolean {
  const t = buf.trimStart()
  if (t.startsWith('<details')) return !t.includes('>')
  return t.length > 0 && '<details'.startsWith(t)
}

/** The longest end of `text` that begins `tag`: held back until we know whether the tag follows. */
function partialTail(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) if (tag.startsWith(text.slice(-n))) return n
  return 0
}

/** Reasoning markup → plain text: no summary, no quote marks, no blank lines around it. */
function cleanThinking(raw: string, final: boolean): string {
  let text = raw.replace(/<summary>[\s\S]*?<\/summary>/g, '')
  const openSummary = text.indexOf('<summary')
  if (openSummary >= 0) text = text.slice(0, openSummary)
  if (!final) text = text.slice(0, text.length - partialTail(text, '<summary>'))
  // Trailing blank space waits: it goes out with the text after it, and the closing tag drops it.
  return text.replace(/^> ?/gm, '').replace(/^\n+/, '').trimEnd()
}

export interface ZaiSplit {
  reasoning: string
  answer: string
}

/** Split the buffer. `answerStart` marks where the answer phase began when there is no markup. */
export function splitZaiBuffer(buf: string, phase: string, answerStart: number | undefined, final: boolean): ZaiSplit {
  const open = OPEN.exec(buf)
  if (open) {
    const rest = buf.slice(open[0].length)
    const close = rest.indexOf(CLOSE)
    if (close < 0) {
      const held = final ? rest : rest.slice(0, rest.length - partialTail(rest, CLOSE))
      return { reasoning: cleanThinking(held, final), answer: '' }
    }
    return { reasoning: cleanThinking(rest.slice(0, close), true), answer: rest.slice(close + CLOSE.length).replace(/^\s+/, '') }
  }
  if (!final && partialOpening(buf)) return { reasoning: '', answer: '' }
  if (answerStart !== undefined) return { reasoning: buf.slice(0, answerStart), answer: buf.slice(answerStart) }
  return phase === 'thinking' ? { reasoning: buf, answer: '' } : { reasoning: '', answer: buf }
}

/** An error object of the stream (or of a JSON reply) as a failure class. */
export function zaiError(error: Json, captchaPasted: boolean, status?: number): UpstreamError {
  const code = String(error.code ?? '')
  const detail = String(error.detail ?? error.message ?? error.msg ?? 'upstream error').slice(0, 200)
  const o = { provider, upstreamStatus: status }
  if (code === CAPTCHA_CODE) {
    const kind = typeof error.captcha_error_type === 'string' ? `, ${error.captcha_error_type}` : ''
    const advice = captchaPasted
      ? 'the captcha token pasted with the credential was refused or has expired: paste a fresh one'
      : 'a relay cannot produce one: paste a token from a browser session with the credential as captcha_verify_param (see the README)'
    return rateLimited(`${provider}: chat.z.ai requires a captcha token (${CAPTCHA_CODE}${kind}); ${advice}`, {
      ...o,
      retryAfterMs: CAPTCHA_COOLDOWN_MS,
    })
  }
  const text = `${provider}: chat.z.ai: ${detail}${code ? ` (${code})` : ''}`
  if (/signature/i.test(`${code} ${detail}`))
    return protocolError(`${text}: the site refused the X-Signature; its signing may have changed`, o)
  if (status === 401 || status === 403 || /unauthori[sz]ed|invalid token|token (expired|invalid)|not authenticated/i.test(detail))
    return credentialInvalid(text, o)
  if (status === 429 || /too many|rate limit|频繁|concurren/i.test(detail)) return rateLimited(text, o)
  return upstreamUnavailable(text, o)
}

export interface ZaiParserOptions {
  /** Whether the credential carried a captcha token (it changes what the captcha error advises). */
  captchaPasted: boolean
}

export class ZaiStreamParser {
  done = false
  private buf = ''
  private phase = ''
  private answerStart: number | undefined
  private readonly reasoning = new CumulativeText()
  private readonly answer = new CumulativeText()
  private usage: DeltaEvent | undefined

  constructor(private readonly options: ZaiParserOptions) {}

  push(ev: SseEvent): DeltaEvent[] {
    if (this.done) return []
    if (ev.data.trim() === '[DONE]') return this.finish()
    const frame = asObject(tryJson(ev.data))
    if (!frame) return []
    const data = asObject(frame.data) ?? frame
    const error = asObject(data.error) ?? asObject(asObject(data.data)?.error) ?? asObject(frame.error)
    if (error) throw zaiError(error, this.options.captchaPasted)
    if (typeof data.phase === 'string' && data.phase !== this.phase) {
      if (data.phase === 'answer' && this.phase === 'thinking' && !OPEN.test(this.buf)) this.answerStart ??= this.buf.length
      this.phase = data.phase
    }
    this.buf = applyZaiOp(this.buf, data)
    const usage = asObject(data.usage)
    if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number')
      this.usage = { type: 'usage', promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens }
    if (data.done === true || data.phase === 'done') return this.finish()
    return this.emit(false)
  }

  /** The stream closed without an end marker: fine after an answer, an error when nothing came. */
  end(): DeltaEvent[] {
    if (this.done) return []
    if (!this.reasoning.text && !this.answer.text && !this.buf.trim())
      throw protocolError(`${provider}: chat.z.ai stream ended before any answer`, { provider })
    return this.finish()
  }

  private finish(): DeltaEvent[] {
    const out = this.emit(true)
    this.done = true
    if (this.usage) out.push(this.usage)
    out.push({ type: 'finish', reason: 'stop' })
    return out
  }

  private emit(final: boolean): DeltaEvent[] {
    const split = splitZaiBuffer(this.buf, this.phase, this.answerStart, final)
    const out: DeltaEvent[] = []
    const thought = this.reasoning.next(split.reasoning)
    if (thought) out.push({ type: 'reasoning', text: thought })
    const said = this.answer.next(split.answer)
    if (said) out.push({ type: 'text', text: said })
    return out
  }
}

export async function* parseZaiStream(body: AsyncIterable<Uint8Array | string>, parser: ZaiStreamParser): AsyncGenerator<DeltaEvent> {
  for await (const ev of readSse(body)) {
    yield* parser.push(ev)
    if (parser.done) return
  }
  yield* parser.end()
}
