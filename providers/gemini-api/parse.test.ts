// GenerateContentResponse → DeltaEvents, whole and as an alt=sse stream split at every byte.
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { finishReasonOf, parseResponse, readStream } from './parse.js'

const ids = () => {
  let n = 0
  return () => `call_${++n}`
}

const chunk = (parts: unknown[], { usageMetadata, ...candidate }: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: 'model', parts }, index: 0, ...candidate }],
  ...(usageMetadata ? { usageMetadata } : {}),
})
const usage = { promptTokenCount: 12, candidatesTokenCount: 7, thoughtsTokenCount: 5, totalTokenCount: 24 }

// Multi-byte text and \r\n framing, as Google sends it.
const STREAM = [
  chunk([{ text: '想一想', thought: true }], { usageMetadata: { promptTokenCount: 12 } }),
  chunk([{ text: '你好' }]),
  chunk([{ text: '！😀' }]),
  chunk([{ functionCall: { name: 'get_weather', args: { city: '北京' } }, thoughtSignature: 'c2ln' }], { finishReason: 'STOP', usageMetadata: usage }),
]
  .map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`)
  .join('')

const EXPECTED: DeltaEvent[] = [
  { type: 'reasoning', text: '想一想' },
  { type: 'text', text: '你好' },
  { type: 'text', text: '！😀' },
  { type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', args: '{"city":"北京"}' },
  { type: 'usage', promptTokens: 12, completionTokens: 12, reasoningTokens: 5 },
  { type: 'finish', reason: 'tool_calls' },
]

/** Adjacent text (and reasoning) events joined, so splits that cut a chunk compare equal. */
function joined(events: DeltaEvent[]): DeltaEvent[] {
  const out: DeltaEvent[] = []
  for (const e of events) {
    const last = out.at(-1)
    if (last && (e.type === 'text' || e.type === 'reasoning') && last.type === e.type) last.text += e.text
    else out.push({ ...e })
  }
  return out
}

describe('gemini-api parse', () => {
  it('a stream, whole and split at every byte boundary, gives the same events', async () => {
    for (const chunks of everySplit(STREAM)) expect(joined(await drain(readStream(streamOf(chunks), 'gemini-api', ids())))).toEqual(joined(EXPECTED))
  })

  it('a whole answer: thoughts, text, usage and finish', () => {
    const events = parseResponse(chunk([{ text: 'hmm', thought: true }, { text: 'Hi' }], { finishReason: 'MAX_TOKENS', usageMetadata: usage }), 'gemini-api')
    expect(events).toEqual([
      { type: 'reasoning', text: 'hmm' },
      { type: 'text', text: 'Hi' },
      { type: 'usage', promptTokens: 12, completionTokens: 12, reasoningTokens: 5 },
      { type: 'finish', reason: 'length' },
    ])
  })

  it('finish reasons; a blocked prompt is content_filter; a signature-only part adds nothing', () => {
    expect([finishReasonOf('STOP'), finishReasonOf('MAX_TOKENS'), finishReasonOf('SAFETY'), finishReasonOf('OTHER'), finishReasonOf(undefined)]).toEqual([
      'stop',
      'length',
      'content_filter',
      'stop',
      undefined,
    ])
    expect(parseResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3 } }, 'gemini-api')).toEqual([
      { type: 'usage', promptTokens: 3, completionTokens: 0 },
      { type: 'finish', reason: 'content_filter' },
    ])
    expect(parseResponse(chunk([{ thoughtSignature: 'c2ln' }, { text: 'ok' }], { finishReason: 'STOP' }), 'gemini-api')).toEqual([
      { type: 'text', text: 'ok' },
      { type: 'finish', reason: 'stop' },
    ])
  })

  it('an error inside the stream is thrown in its class; a stream cut before finishReason is an error', async () => {
    const err = `data: ${JSON.stringify({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } })}\n\n`
    await expect(drain(readStream(streamOf([err]), 'gemini-api'))).rejects.toMatchObject({ kind: 'rate_limited' })
    const cut = `data: ${JSON.stringify(chunk([{ text: 'half' }]))}\n\n`
    await expect(drain(readStream(streamOf([cut]), 'gemini-api'))).rejects.toMatchObject({ kind: 'unavailable' })
    await expect(drain(readStream(streamOf(['data: {not json\n\n']), 'gemini-api'))).rejects.toMatchObject({ kind: 'protocol' })
  })
})
