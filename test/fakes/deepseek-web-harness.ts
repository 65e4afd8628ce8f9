// Test set-up shared by the deepseek-web test files: a fresh fake, the adapter and a context.
import deepseekWeb from '../../providers/deepseek-web/index.js'
import type { DeepseekSettings } from '../../providers/deepseek-web/client.js'
import type { UpstreamError } from '../../src/kit/errors.js'
import type { ChatMessage, ChatRequest, DeltaEvent } from '../../src/kit/types.js'
import { createAdapter, makeContext } from '../helpers/adapter-context.js'
import { type FakeDeepseek, type FakeDeepseekOptions, startFakeDeepseek } from './deepseek-web.js'

export async function deepseekSetUp(
  options: FakeDeepseekOptions = {},
  settings: Partial<DeepseekSettings> = {},
  secret = 'user-token-a',
) {
  const fake: FakeDeepseek = await startFakeDeepseek(options)
  const adapter = createAdapter(deepseekWeb, fake.url, settings)
  const ctx = makeContext<DeepseekSettings>({ baseUrl: fake.url, secret, settings: deepseekWeb.settings!.parse(settings) })
  return { fake, adapter, ctx }
}

export function chatRequest(
  model: string,
  content: string | ChatMessage[],
  flags: string[] = [],
  extra: Partial<ChatRequest> = {},
): ChatRequest {
  const messages = typeof content === 'string' ? [{ role: 'user' as const, content }] : content
  return { model, requestedModel: model, flags: new Set(flags), messages, stream: true, extra: {}, ...extra }
}

export const conversationOf = (events: DeltaEvent[]) =>
  events.find((e) => e.type === 'conversation') as Extract<DeltaEvent, { type: 'conversation' }>

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(run: Promise<unknown>): Promise<UpstreamError> {
  try {
    await run
  } catch (err) {
    return err as UpstreamError
  }
  throw new Error('expected a failure')
}
