import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { UpstreamError } from '../../src/kit/errors.js'
import { readSse } from '../../src/kit/sse.js'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { reasoningFrom, textFrom } from '../../test/helpers/adapter-context.js'
import { newStreamState, parseMessageList, parseStreamEvent, usageEvents } from './parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

interface Replay {
  events: DeltaEvent[]
  error?: { kind: string; message: string }
  done: boolean
}

async function replay(chunks: readonly Uint8Array[]): Promise<Replay> {
  const state = newStreamState()
  const events: DeltaEvent[] = []
  try {
    for await (const ev of readSse(streamOf(chunks))) events.push(...parseStreamEvent(ev.event, ev.data, state))
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err
    return { events, error: { kind: err.kind, message: err.message }, done: state.done }
  }
  return { events, done: state.done }
}

/** The whole body, then every two-piece split, then byte by byte: all must agree. */
async function replayAllSplits(name: string): Promise<Replay> {
  const bytes = fixture(name)
  const whole = await replay([bytes])
  for (const chunks of everySplit(bytes)) expect(await replay(chunks)).toEqual(whole)
  expect(await replay(byteByByte(bytes))).toEqual(whole)
  return whole
}

describe('coze-api stream fixtures, whole and split at every byte', () => {
  it('text stream: conversation first, answer deltas, usage from chat.completed, then finish', async () => {
    const { events, error, done } = await replayAllSplits('stream-text.sse')
    expect(error).toBeUndefined()
    expect(done).toBe(true)
    expect(events[0]).toEqual({ type: 'conversation', id: '7400000000000000001' })
    expect(textFrom(events)).toBe('你好！我是扣子助手😀，很高兴见到你。')
    // message.completed repeats the streamed text and the follow_up suggestion is not an answer
    expect(events.filter((e) => e.type === 'text')).toHaveLength(5)
    expect(events.slice(-2)).toEqual([
      { type: 'usage', promptTokens: 614, completionTokens: 19 },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('reasoning_content becomes reasoning; audio deltas are ignored', async () => {
    const { events, error } = await replayAllSplits('stream-reasoning.sse')
    expect(error).toBeUndefined()
    expect(reasoningFrom(events)).toBe('先想想用户在打招呼。')
    expect(textFrom(events)).toBe('嗨，你好！')
    expect(events.findIndex((e) => e.type === 'reasoning')).toBeLessThan(events.findIndex((e) => e.type === 'text'))
    expect(events).toContainEqual({ type: 'usage', promptTokens: 28, completionTokens: 12 })
  })

  it('multi-answer replies are separated, and completed text never streamed is added', async () => {
    const { events } = await replayAllSplits('stream-multi-answer.sse')
    expect(textFrom(events)).toBe('第一段\n\n第二段，补全')
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' })
  })

  it('chat.failed becomes an upstream error carrying last_error', async () => {
    const { events, error } = await replayAllSplits('stream-failed.sse')
    expect(events).toEqual([{ type: 'conversation', id: '7400000000000000001' }])
    expect(error?.kind).toBe('unavailable')
    expect(error?.message).toContain('event interval error')
    expect(error?.message).toContain('code 5000')
  })

  it('an opaque error event (data:{}) is an upstream error', async () => {
    const { error } = await replayAllSplits('stream-error.sse')
    expect(error?.kind).toBe('unavailable')
  })

  it('requires_action cannot be served by a relay', async () => {
    const { error } = await replayAllSplits('stream-requires-action.sse')
    expect(error?.kind).toBe('not_supported')
  })
})

describe('coze-api parse details', () => {
  it('error event shapes: {code,msg}, {code,message}, a bare string', () => {
    const kinds = [
      ['{"code":4100,"msg":"authentication is invalid"}', 'credential_invalid'],
      ['{"code":4020,"message":"rpm exceeded"}', 'rate_limited'],
      ['"something broke"', 'unavailable'],
      ['not json at all', 'unavailable'],
    ] as const
    for (const [data, kind] of kinds) {
      try {
        parseStreamEvent('error', data, newStreamState())
        expect.unreachable()
      } catch (err) {
        expect((err as UpstreamError).kind).toBe(kind)
      }
    }
  })

  it('done accepts the quoted and the bare form', () => {
    for (const data of ['"[DONE]"', '[DONE]']) {
      const state = newStreamState()
      expect(parseStreamEvent('done', data, state)).toEqual([])
      expect(state.done).toBe(true)
    }
  })

  it('a refused question (4014) in chat.failed ends with content_filter', () => {
    const data = JSON.stringify({ id: 'c', conversation_id: 'v', status: 'failed', last_error: { code: 4014, msg: 'cannot answer' } })
    expect(parseStreamEvent('conversation.chat.failed', data, newStreamState())).toEqual([{ type: 'finish', reason: 'content_filter' }])
  })

  it('malformed data is a protocol error naming the provider', () => {
    expect(() => parseStreamEvent('conversation.message.delta', '{oops', newStreamState())).toThrow(/coze-api/)
  })

  it('all-zero usage is "not counted yet", not a real count', () => {
    expect(usageEvents({ token_count: 0, output_count: 0, input_count: 0 })).toEqual([])
    expect(usageEvents({ token_count: 5, output_count: 2, input_count: 3 })).toEqual([{ type: 'usage', promptTokens: 3, completionTokens: 2 }])
  })

  it('message list: answers only, reasoning first, usage and finish last', () => {
    const chat = { id: 'c', conversation_id: 'v', status: 'completed', usage: { token_count: 9, output_count: 4, input_count: 5 } }
    const events = parseMessageList(
      [
        { id: '1', role: 'assistant', type: 'answer', content: '答案', reasoning_content: '思考' },
        { id: '2', role: 'assistant', type: 'follow_up', content: '还有吗？' },
        { id: '3', role: 'assistant', type: 'verbose', content: '{"msg_type":"generate_answer_finish"}' },
        { id: '4', role: 'assistant', type: 'function_call', content: '{"name":"x"}' },
      ],
      chat,
    )
    expect(events).toEqual([
      { type: 'reasoning', text: '思考' },
      { type: 'text', text: '答案' },
      { type: 'usage', promptTokens: 5, completionTokens: 4 },
      { type: 'finish', reason: 'stop' },
    ])
  })
})
