// Shared pure pieces of the three Qwen stream parsers: error classes, non-stream replies, and
// turning cumulative snapshots into deltas.
import { asObject, tryJson } from '../../src/kit/json.js'
import {
  type UpstreamError,
  credentialInvalid,
  invalidRequest,
  protocolError,
  quotaExhausted,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { BROWSER_CHECK, BROWSER_CHECK_COOLDOWN_MS, PROVIDER_ID, SIGNATURE_REQUIRED, type Site } from './constants.js'

const provider = PROVIDER_ID

/** An error code field that means "no error". */
export const isNoError = (code: unknown) => code === undefined || code === null || code === '' || code === 0 || code === '0'

const SIGNATURE = /signature|签名|\bacs\b|baxia/i
const LOGGED_OUT = /NOT_LOGIN|登录|login|unauthori[sz]ed|token.*(expired|invalid)|(expired|invalid).*token/i
const RATE_LIMIT = /rate.?limit|too many|频繁|限流|稍后再试|RateLimited/i
const OUT_OF_QUOTA = /quota|额度|用完|usage limit/i

const SITE_NAMES: Record<Site, string> = { qianwen: 'www.qianwen.com', tongyi: 'tongyi.aliyun.com', intl: 'chat.qwen.ai' }

/**
 * The site wants this account to pass a browser check (slider, WAF challenge): nothing a relay can
 * answer, and retrying at once makes it worse. Cool the credential and tell the operator what to do.
 */
export function browserCheck(site: Site, marker: string, status?: number): UpstreamError {
  const name = SITE_NAMES[site]
  return rateLimited(
    `${provider}: ${name} asks for a browser check (${marker}); open ${name} in a browser with this account, pass the check, then paste its cookies again`,
    { provider, upstreamStatus: status, retryAfterMs: BROWSER_CHECK_COOLDOWN_MS },
  )
}

/** The risk-control marker in a text that is not answer content, if any. */
export const browserCheckMarker = (text: string) => BROWSER_CHECK.exec(text)?.[0]

/** End-of-stream bookkeeping shared by the Qwen stream parsers. */
export abstract class QwenStreamParser {
  done = false
  protected produced = false
  protected usage: DeltaEvent | undefined

  constructor(private readonly site: Site) {}

  /** The closing events: usage when the upstream reported it, then finish. */
  protected close(): DeltaEvent[] {
    this.done = true
    return [...(this.usage ? [this.usage] : []), { type: 'finish', reason: 'stop' }]
  }

  end(): DeltaEvent[] {
    if (this.done) return []
    if (!this.produced) throw classifyError(this.site, undefined, 'the stream ended before any answer')
    return this.close()
  }
}

/** Error code + message from any Qwen envelope, as a failure class the pool understands. */
export function classifyError(site: Site, code: unknown, message: string, status?: number): UpstreamError {
  const codeText = isNoError(code) ? '' : String(code)
  const text = `${provider}: ${message || codeText || 'upstream error'}${codeText && message ? ` (${codeText})` : ''}`
  const o = { provider, upstreamStatus: status }
  const marker = browserCheckMarker(`${codeText} ${message}`)
  if (marker) return browserCheck(site, marker, status)
  if (codeText === SIGNATURE_REQUIRED || SIGNATURE.test(message))
    return protocolError(
      `${provider}: www.qianwen.com demands an ACS request signature (${codeText || 'sign'}), which this adapter does not ` +
        'compute (its key material is unknown); use providers.qwen-web.site: intl or tongyi',
      o,
    )
  if (site === 'intl' && codeText === 'Bad_Request')
    return credentialInvalid(`${provider}: chat.qwen.ai answered Bad_Request; paste the whole browser cookie (cna, x-ap...), not only the token`, o)
  if (codeText === 'SESSION_NO_EXIST') return invalidRequest(`${text}: the conversation belongs to another account`, o)
  if (status === 429 || RATE_LIMIT.test(`${codeText} ${message}`)) return rateLimited(text, o)
  if (status === 401 || status === 403 || LOGGED_OUT.test(`${codeText} ${message}`)) return credentialInvalid(text, o)
  if (OUT_OF_QUOTA.test(message)) return quotaExhausted(text, o)
  return upstreamUnavailable(text, o)
}

/** A reply that is not an event stream: a JSON envelope of some shape, or an HTML page. */
export function errorFromReply(site: Site, status: number, body: string): UpstreamError {
  const trimmed = body.trim()
  const marker = browserCheckMarker(trimmed)
  if (marker) return browserCheck(site, marker, status)
  if (trimmed.startsWith('<'))
    return protocolError(`${provider}: got an HTML page (HTTP ${status}, likely a login or captcha page) instead of an event stream`, {
      provider,
      upstreamStatus: status,
    })
  const env = asObject(tryJson(trimmed))
  if (!env) return protocolError(`${provider}: unexpected reply (HTTP ${status}) instead of an event stream`, { provider, upstreamStatus: status })
  const inner = asObject(env.data)
  const err = asObject(env.error)
  const code = env.error_code ?? env.errorCode ?? env.code ?? inner?.code ?? err?.code ?? (Array.isArray(env.ret) ? env.ret[0] : undefined)
  const message = String(env.error_msg ?? env.errorMsg ?? env.msg ?? env.message ?? inner?.details ?? err?.message ?? '')
  if (status < 400 && isNoError(code) && !message && env.success !== false)
    return protocolError(`${provider}: JSON envelope instead of an event stream`, { provider, upstreamStatus: status })
  return classifyError(site, code, message, status >= 400 ? status : undefined)
}

/** The kit's cumulative-snapshot helper, under the name this module exported before it moved there. */
export { CumulativeText as Cumulative } from '../../src/kit/cumulative.js'

/** Usage counts when a payload really carries them (several field spellings). */
export function usageOf(value: unknown): DeltaEvent | undefined {
  const u = asObject(value)
  if (!u) return undefined
  const prompt = Number(u.input_tokens ?? u.prompt_tokens ?? u.inputTokens ?? Number.NaN)
  const completion = Number(u.output_tokens ?? u.completion_tokens ?? u.outputTokens ?? Number.NaN)
  if (!Number.isFinite(prompt) || !Number.isFinite(completion)) return undefined
  return { type: 'usage', promptTokens: prompt, completionTokens: completion }
}
