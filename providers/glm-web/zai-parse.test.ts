import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { DeltaEvent } from '../../src/kit/types.js'
import { byteByByte, drain, everySplit, streamOf } from '../../test/helpers/chunks.js'
import { ZaiStreamParser, applyZaiOp, parseZaiStream, splitZaiBuffer } from './zai-parse.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const parse = (chunks: Uint8Array[]) => drain(parseZaiStream(streamOf(chunks), new ZaiStreamParser({ captchaPasted: true })))

const expected: DeltaEvent[] = [
  { type: 'reasoning', text: '用户问候 🙂' },
  { type: 'reasoning', text: '\n我礼貌回答。' },
  { type: 'text', text: '你好' },
  { type: 'text', text: '，朋友 🌍' },
  { type: 'text', text: '！' }, // an edit at the buffer's end, its index in UTF-16 code units
  { type: 'usage', promptTokens: 12, completionTokens: 34 },
  { type: 'finish', reason: 'stop' },
]

describe('chat.z.ai stream fixtures', () => {
  it('zai-think.sse: whole, split at every byte, and byte by byte', async () => {
    const bytes = fixture('zai-think.sse')
    for (const chunks of everySplit(bytes)) expect(await parse(chunks)).toEqual(expected)
    expect(await parse(byteByByte(bytes))).toEqual(expected)
  })

  it('zai-captcha.sse: FRONTEND_CAPTCHA_REQUIRED at every split', async () => {
    const bytes = fixture('zai-captcha.sse')
    for (const chunks of [...everySplit(bytes), byteByByte(bytes)])
      await expect(parse(chunks)).rejects.toMatchObject({ kind: 'rate_limited', message: expect.stringMatching(/FRONTEND_CAPTCHA_REQUIRED, missing_param/) })
  })
})

describe('chat.z.ai buffer ops', () => {
  it('applies the notes\' edit sample and counts edit_index in UTF-16 code units', () => {
    expect(applyZaiOp('hello there', { phase: 'answer', edit_index: 5, edit_content: 'world' })).toBe('helloworld')
    expect(applyZaiOp('😊ab', { edit_index: 2, edit_content: 'X' })).toBe('😊X')
    expect(applyZaiOp('old', { content: 'new' })).toBe('new')
    expect(applyZaiOp('a', { delta_content: 'b' })).toBe('ab')
  })

  it('splits reasoning markup, holding back half a tag', () => {
    expect(splitZaiBuffer('<deta', 'thinking', undefined, false)).toEqual({ reasoning: '', answer: '' })
    expect(splitZaiBuffer('<details type="reasoning">\n> a\n> b</deta', 'thinking', undefined, false)).toEqual({ reasoning: 'a\nb', answer: '' })
    const closed = '<details type="reasoning"><summary>Thought for 2s</summary>\n> a\n</details>\n\nanswer'
    expect(splitZaiBuffer(closed, 'answer', undefined, false)).toEqual({ reasoning: 'a', answer: 'answer' })
  })

  it('without markup, thinking-phase text is reasoning until the answer phase starts', () => {
    const p = new ZaiStreamParser({ captchaPasted: false })
    const frame = (data: Record<string, unknown>) => ({ data: JSON.stringify({ type: 'chat:completion', data }) })
    expect(p.push(frame({ phase: 'thinking', delta_content: 'hmm' }))).toEqual([{ type: 'reasoning', text: 'hmm' }])
    expect(p.push(frame({ phase: 'answer', delta_content: 'Yes' }))).toEqual([{ type: 'text', text: 'Yes' }])
    expect(p.push({ data: '[DONE]' })).toEqual([{ type: 'finish', reason: 'stop' }])
  })

  it('reads errors in data.error and data.data.error, and an empty stream is an error', async () => {
    const p = new ZaiStreamParser({ captchaPasted: false })
    expect(() => p.push({ data: JSON.stringify({ type: 'chat:completion', data: { data: { error: { detail: 'Too many requests' } } } }) })).toThrow(
      expect.objectContaining({ kind: 'rate_limited' }),
    )
    await expect(parse([new TextEncoder().encode('data: [DONE]\n\n')])).resolves.toEqual([{ type: 'finish', reason: 'stop' }])
    await expect(parse([new TextEncoder().encode(': ping\n\n')])).rejects.toMatchObject({ kind: 'protocol' })
  })
})
