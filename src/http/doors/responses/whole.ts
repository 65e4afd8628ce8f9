// A whole answer as one `response` object (stream: false), built by the same OutputBuilder as the
// event stream.
import type { ChatTurn } from '../../../core/chat/turn.js'
import type { FinishReason } from '../../../kit/types.js'
import { type BuilderOptions, OutputBuilder } from './output.js'
import { type ResponseMeta, responseObject } from './response.js'
import { endState } from './stream.js'

export async function wholeResponse(
  turn: ChatTurn,
  meta: ResponseMeta,
  options: Omit<BuilderOptions, 'announce'>,
  now: () => number = Date.now,
): Promise<{ response: Record<string, unknown>; builder: OutputBuilder }> {
  const builder = new OutputBuilder(options)
  let finish: FinishReason | undefined
  for await (const e of turn.events()) {
    if (e.type === 'finish') finish = e.reason
    builder.add(e)
  }
  const state = endState(finish)
  builder.finish(state.status === 'incomplete' ? 'incomplete' : 'completed')
  const response = responseObject(meta, { ...state, output: builder.items, usage: turn.usage(), completedAt: Math.floor(now() / 1000) })
  return { response, builder }
}
