// MiniMax web chat constants: MiniMax Agent (agent.minimaxi.com, current) and the legacy Hailuo
// (hailuoai.com) flow, from the shared protocol spec section 4.
import { z } from 'zod'
import type { ModelSpec } from '../../src/kit/types.js'
import { urlSetting } from '../../src/kit/url.js'

export const PROVIDER_ID = 'minimax-web'
export const DEFAULT_BASE_URL = 'https://agent.minimaxi.com'
export const DEFAULT_HAILUO_URL = 'https://hailuoai.com'

export const AGENT_PATHS = {
  register: '/v1/api/user/device/register',
  renewal: '/v1/api/user/renewal',
  userInfo: '/v1/api/user/info',
  send: '/matrix/api/v1/chat/send_msg',
  detail: '/matrix/api/v1/chat/get_chat_detail',
  delete: '/matrix/api/v1/chat/delete_chat',
} as const

export const HAILUO_PATHS = {
  register: '/v1/api/user/device/register',
  userInfo: '/v1/api/user/info',
  chat: '/v4/api/chat/msg',
  history: '/v1/api/chat/history/',
} as const

/**
 * The "archon" agent API of MiniMax-M3 (2026-06+). Its shapes come from two peers and are marked
 * unverified in updates-2026 §6.3: the `flow: archon` setting that uses them is off by default.
 */
export const ARCHON_PATHS = {
  agents: '/archon/api/v1/agent',
  userInfo: '/archon/api/v1/user/info',
  session: (agent: string) => `/archon/api/v1/agent/${encodeURIComponent(agent)}/session`,
  message: (sessionId: string) => `/archon/api/v1/session/${encodeURIComponent(sessionId)}/message`,
} as const
export const DEFAULT_ARCHON_STREAM_URL = 'https://agent-stream.minimaxi.com'
export const ARCHON_DEFAULT_MODEL = 'MiniMax-M3'

/** Constant suffix of the `yy` signature input. */
export const YY_SALT = 'ooui'
/** The fixed secret of the agent's `x-signature` (updates-2026 §6.1, seven peers). */
export const X_SIGNATURE_SECRET = 'I*7Cf%WZ#S&%1RlZJ&C2'
export const DEVICE_TTL_MS = 10_800_000

export const MODELS: readonly ModelSpec[] = [
  { id: 'minimax', ownedBy: 'minimax' },
  { id: 'minimax-auto', ownedBy: 'minimax' },
  { id: 'MiniMax-M2.5', ownedBy: 'minimax' },
  { id: 'MiniMax-M2.7', ownedBy: 'minimax' },
  { id: 'MiniMax-M3', ownedBy: 'minimax' },
]

export const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

export const settingsSchema = z.object({
  /**
   * `agent` = agent.minimaxi.com (send + poll); `hailuo` = legacy hailuoai.com (multipart + SSE);
   * `archon` = the MiniMax-M3 agent API (session + SSE; unverified shapes, hence not the default).
   */
  flow: z.enum(['agent', 'hailuo', 'archon']).default('agent'),
  /** Renew the JWT through /v1/api/user/renewal when it expires within this many seconds (agent and archon flows). */
  renew_before_s: z.number().int().nonnegative().default(7 * 86_400),
  /** Origin of the archon message stream (`agent-stream.<domain>`). */
  archon_stream_url: urlSetting(DEFAULT_ARCHON_STREAM_URL),
  /** Archon agent whose sessions carry the chat (`<name|1>` in the notes). */
  archon_agent: z.string().min(1).default('1'),
  /** Origin of the legacy flow (the agent flow uses base_url). */
  hailuo_url: urlSetting(DEFAULT_HAILUO_URL),
  /** Pause between two get_chat_detail polls. */
  poll_interval_ms: z.number().int().positive().default(500),
  /** Polls before giving up on an answer that never completes. */
  max_polls: z.number().int().positive().default(180),
  /** Seconds a registered device id is reused. */
  device_ttl_s: z.number().int().positive().default(DEVICE_TTL_MS / 1000),
})
export type MinimaxSettings = z.infer<typeof settingsSchema>
