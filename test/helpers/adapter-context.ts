// A CallContext for driving one adapter directly against its fake upstream, without the app.
import { HttpClient } from '../../src/kit/http.js'
import { silentLogger } from '../../src/kit/log.js'
import type { CallContext, CommonSettings, DeltaEvent, ProviderDefinition } from '../../src/kit/types.js'

export interface TestContextOptions<S> {
  baseUrl: string
  secret?: string
  state?: Record<string, unknown>
  settings?: Partial<S & CommonSettings>
  signal?: AbortSignal
  credentialId?: number | null
}

export const defaultCommonSettings = (baseUrl: string): CommonSettings => ({
  base_url: baseUrl,
  enabled: true,
  timeout_ms: 5_000,
  idle_timeout_ms: 5_000,
  concurrency: 1,
  passthrough_tokens: false,
  multi_turn: true,
  keep_conversations: false,
  tool_emulation: false,
})

export function makeContext<S = Record<string, unknown>>(
  options: TestContextOptions<S>,
): CallContext<S> & { state: Record<string, unknown> } {
  const state: Record<string, unknown> = { ...options.state }
  const settings = { ...defaultCommonSettings(options.baseUrl), ...options.settings } as S & CommonSettings
  return {
    state,
    credential: { id: options.credentialId ?? 1, secret: options.secret ?? 'test-secret', state },
    saveState: (patch) => Object.assign(state, patch),
    http: new HttpClient({ timeoutMs: settings.timeout_ms, idleTimeoutMs: settings.idle_timeout_ms }),
    signal: options.signal ?? new AbortController().signal,
    settings,
    log: silentLogger,
  }
}

/** Build an adapter from its definition with settings parsed the way the app does. */
export function createAdapter<S>(def: ProviderDefinition<S>, baseUrl: string, extra: Record<string, unknown> = {}) {
  const parsed = (def.settings ? def.settings.parse(extra) : {}) as S
  return def.create(def.id, { ...defaultCommonSettings(baseUrl), ...parsed, ...extra } as S & CommonSettings)
}

export async function collectEvents(it: AsyncIterable<DeltaEvent>): Promise<DeltaEvent[]> {
  const out: DeltaEvent[] = []
  for await (const e of it) out.push(e)
  return out
}

export const textFrom = (events: DeltaEvent[]) =>
  events.map((e) => (e.type === 'text' ? e.text : '')).join('')
export const reasoningFrom = (events: DeltaEvent[]) =>
  events.map((e) => (e.type === 'reasoning' ? e.text : '')).join('')
