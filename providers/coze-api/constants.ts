// Coze Open API v3 facts: hosts, paths and the business error codes of the `{code,msg}` envelope.

export const PROVIDER_ID = 'coze-api'
/** China host; the international one is https://api.coze.com (set base_url). */
export const DEFAULT_BASE_URL = 'https://api.coze.cn'
/** Public model names are namespaced so a bot called `gpt-4o` cannot shadow another provider. */
export const MODEL_PREFIX = 'coze-'

export const PATHS = {
  chat: '/v3/chat',
  retrieve: '/v3/chat/retrieve',
  messages: '/v3/chat/message/list',
  cancel: '/v3/chat/cancel',
  conversations: '/v1/conversations',
} as const

/** The server accepts at most this many additional_messages in one chat. */
export const MAX_ADDITIONAL_MESSAGES = 100

/** Chat statuses that mean "still working" while polling. */
export const PENDING_STATUSES: ReadonlySet<string> = new Set(['created', 'in_progress'])

/**
 * Business codes from the error-code page of the Coze docs (coze.cn developer_guides/coze_error_codes);
 * the spec only pins 4016 and 4104, the rest is listed there.
 */
export const COZE_CODES = {
  badParameter: 4000,
  invalidChat: 4001,
  invalidConversation: 4002,
  metaDataTooLarge: 4003,
  tooManyMessages: 4004,
  invalidMessage: 4005,
  invalidBot: 4006,
  nonStreamNeedsHistory: 4007,
  dailyBotLimit: 4008,
  systemBusy: 4009,
  promptTooLong: 4010,
  outOfCozeTokens: 4011,
  invalidModel: 4012,
  modelError: 4013,
  cannotAnswer: 4014,
  botNotPublished: 4015,
  conversationBusy: 4016,
  volcanoBalanceOwed: 4019,
  volcanoRpmExceeded: 4020,
  modelBillOwed: 4022,
  authInvalid: 4100,
  noPermission: 4101,
  riskControl: 4102,
  cannotCancel: 4104,
  resourceNotFound: 4200,
  internal: 5000,
  /** OAuth access-token rejection quoted on the same page. */
  accessTokenInvalid: 700012006,
} as const
