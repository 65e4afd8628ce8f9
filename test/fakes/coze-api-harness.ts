// Shared wiring for the coze-api adapter tests: the fake server, settings, context and request builders.
import cozeApi from '../../providers/coze-api/index.js'
import { type CozeSettings, settingsSchema } from '../../providers/coze-api/settings.js'
import type { ChatRequest, CommonSettings, DeltaEvent } from '../../src/kit/types.js'
import { collectEvents, createAdapter, makeContext } from '../helpers/adapter-context.js'
import { type CozeFakeOptions, ECHO_BOT, GOOD_TOKEN, startCozeFake } from './coze-api.js'

export const BOTS = { assistant: ECHO_BOT, 'coze-ghost': '7000000000000000404' }

export async function setup(fakeOptions: CozeFakeOptions = {}, settingsOverride: Partial<CozeSettings & CommonSettings> = {}) {
  const fake = await startCozeFake(fakeOptions)
  const raw = { bots: BOTS, poll_interval_ms: 50, ...settingsOverride }
  const settings = { ...settingsSchema.parse(raw), ...settingsOverride }
  const adapter = createAdapter(cozeApi, fake.url, raw)
  const context = (over: { secret?: string; signal?: AbortSignal } = {}) =>
    makeContext<CozeSettings>({ baseUrl: fake.url, secret: over.secret ?? GOOD_TOKEN, settings, ...(over.signal ? { signal: over.signal } : {}) })
  const run = (req: Partial<ChatRequest> = {}, over: { secret?: string; signal?: AbortSignal } = {}): Promise<DeltaEvent[]> =>
    collectEvents(adapter.chat(request(req), context(over)))
  return { fake, adapter, context, run }
}

export function request(over: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: ECHO_BOT,
    requestedModel: 'coze-assistant',
    flags: new Set(),
    messages: [{ role: 'user', content: '你好' }],
    stream: true,
    extra: {},
    ...over,
  }
}

export const conversationOf = (events: DeltaEvent[]) => {
  const c = events.find((e) => e.type === 'conversation')
  return c?.type === 'conversation' ? c.id : undefined
}

/** Poll until `check` holds: for effects the adapter fires and forgets (deletes, cancels). */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
