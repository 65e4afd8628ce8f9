// Coze reports failures as `{code, msg}` (in the HTTP body, in Chat.last_error, or in an `error`
// stream event). One table turns a code into the failure class the pool acts on.
import {
  type UpstreamError,
  type UpstreamErrorOptions,
  credentialInvalid,
  errorFromStatus,
  invalidRequest,
  notSupported,
  quotaExhausted,
  rateLimited,
  upstreamUnavailable,
} from '../../src/kit/errors.js'
import { maskSecretsIn } from '../../src/kit/log.js'
import { COZE_CODES as C, PROVIDER_ID } from './constants.js'

type Classifier = (message: string, o?: UpstreamErrorOptions) => UpstreamError

const byCode = new Map<number, Classifier>([
  [C.authInvalid, credentialInvalid],
  [C.accessTokenInvalid, credentialInvalid],
  // The PAT lacks the chat scope or the bot's workspace: this token can never serve the request.
  [C.noPermission, credentialInvalid],
  [C.dailyBotLimit, quotaExhausted],
  [C.outOfCozeTokens, quotaExhausted],
  [C.volcanoBalanceOwed, quotaExhausted],
  [C.modelBillOwed, quotaExhausted],
  [C.conversationBusy, rateLimited],
  [C.volcanoRpmExceeded, rateLimited],
  [C.riskControl, rateLimited],
  [C.systemBusy, upstreamUnavailable],
  [C.modelError, upstreamUnavailable],
  [C.internal, upstreamUnavailable],
  [C.invalidModel, notSupported],
  [C.badParameter, invalidRequest],
  [C.invalidChat, invalidRequest],
  [C.invalidConversation, invalidRequest],
  [C.metaDataTooLarge, invalidRequest],
  [C.tooManyMessages, invalidRequest],
  [C.invalidMessage, invalidRequest],
  [C.nonStreamNeedsHistory, invalidRequest],
  [C.promptTooLong, invalidRequest],
  // A wrong or unpublished bot id is an operator configuration error: failing over cannot fix it.
  [C.invalidBot, invalidRequest],
  [C.botNotPublished, invalidRequest],
  [C.resourceNotFound, invalidRequest],
])

const hints = new Map<number, string>([
  [C.invalidBot, 'check the bot id in providers.coze-api.bots'],
  [C.botNotPublished, 'publish the bot to the "API" channel in Coze'],
  [C.authInvalid, 'the personal access token is wrong or expired'],
  [C.noPermission, 'the personal access token lacks permission for this bot'],
])

/** The bot refused the question; surfaced as a content_filter finish, not an error. */
export function isRefusalCode(code: number): boolean {
  return code === C.cannotAnswer
}

export interface CozeFailure {
  code: number
  msg?: string
  logid?: string
  httpStatus?: number
}

const codes = new WeakMap<Error, number>()

/** The Coze business code behind an error this module produced, if any. */
export function cozeCodeOf(err: unknown): number | undefined {
  return err instanceof Error ? codes.get(err) : undefined
}

export function errorForCode(f: CozeFailure): UpstreamError {
  const err = classifyFailure(f)
  codes.set(err, f.code)
  return err
}

function classifyFailure(f: CozeFailure): UpstreamError {
  const hint = hints.get(f.code)
  const text = maskSecretsIn(String(f.msg ?? '').slice(0, 300)) || 'error'
  const message = `${PROVIDER_ID}: ${text} (code ${f.code}${hint ? `; ${hint}` : ''}${f.logid ? `; logid ${f.logid}` : ''})`
  const opts: UpstreamErrorOptions = { provider: PROVIDER_ID, ...(f.httpStatus ? { upstreamStatus: f.httpStatus } : {}) }
  const classify = byCode.get(f.code)
  if (classify) return classify(message, opts)
  if (f.httpStatus && f.httpStatus >= 400) return errorFromStatus(f.httpStatus, message, opts)
  return upstreamUnavailable(message, opts)
}

/** Thrown by the client for code 4014 so chat() can end with a content_filter finish. */
export class BotRefused extends Error {
  constructor(readonly failure: CozeFailure) {
    super(`${PROVIDER_ID}: the bot cannot answer this question`)
    this.name = 'BotRefused'
  }
}
