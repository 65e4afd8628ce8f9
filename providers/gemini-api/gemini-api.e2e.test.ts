// gemini-api through the whole app: the official openai SDK calls Freeway's OpenAI door, Freeway
// calls the fake Gemini API.
import { afterEach, describe, expect, it } from 'vitest'
import { ANSWER_PARTS, type FakeGemini, GEMINI_KEY, THOUGHT_PARTS, THOUGHT_TOKENS, USAGE, startFakeGemini } from '../../test/fakes/gemini-api.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeGemini
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(block: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  fake = await startFakeGemini()
  const credentials = env.GEMINI_API_KEY ? {} : { credentials: [GEMINI_KEY] }
  app = await startTestApp({ config: { providers: { 'gemini-api': { base_url: `${fake.url}/v1beta`, ...credentials, ...block } } }, env })
  return app.openai()
}

const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]

describe('gemini-api end to end', () => {
  it('is listed once configured, with -thinking variants', async () => {
    const ids = (await (await start()).models.list()).data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['gemini-2.5-flash', 'gemini-2.5-flash-thinking', 'gemini-3-pro-preview']))
  })

  it('answers whole and streamed with upstream usage; the key goes in x-goog-api-key; system → systemInstruction', async () => {
    const client = await start({}, { GEMINI_API_KEY: GEMINI_KEY })
    const messages = [{ role: 'system' as const, content: '用中文回答' }, { role: 'user' as const, content: '你好' }]
    const res = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages })
    expect(res.choices[0]!.message.content).toBe(ANSWER_PARTS.join(''))
    expect(res.choices[0]!.finish_reason).toBe('stop')
    expect(res.usage).toMatchObject({ prompt_tokens: USAGE.promptTokenCount, completion_tokens: USAGE.candidatesTokenCount })
    const sent = fake.requests.at(-1)!
    expect([sent.method, sent.headers['x-goog-api-key']]).toEqual(['generateContent', GEMINI_KEY])
    expect(sent.body).toMatchObject({ systemInstruction: { parts: [{ text: '用中文回答' }] }, contents: [{ role: 'user', parts: [{ text: '你好' }] }] })

    const stream = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages, stream: true, stream_options: { include_usage: true } })
    let text = ''
    let finish: string | null | undefined
    let usage: unknown
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      finish ??= chunk.choices[0]?.finish_reason
      usage ??= chunk.usage
    }
    expect([text, finish]).toEqual([ANSWER_PARTS.join(''), 'stop'])
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'streamGenerateContent', query: { alt: 'sse' } })
  })

  it('-thinking: thoughts come back as reasoning_content and count as completion tokens', async () => {
    const client = await start()
    const res = await client.chat.completions.create({ model: 'gemini-2.5-flash-thinking', messages: [{ role: 'user', content: '1+1?' }] })
    const message = res.choices[0]!.message as { content: string | null; reasoning_content?: string }
    expect([message.reasoning_content, message.content]).toEqual([THOUGHT_PARTS.join(''), ANSWER_PARTS.join('')])
    expect(res.usage).toMatchObject({ completion_tokens: USAGE.candidatesTokenCount + THOUGHT_TOKENS })
    expect(fake.requests.at(-1)!.body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: -1 } })
  })

  it('a tool call round trip: functionCall → tool_calls, the tool message → functionResponse', async () => {
    const client = await start()
    const first = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: '北京天气？' }], tools, stream: true })
    const args: string[] = []
    let id = ''
    let finish: string | null | undefined
    for await (const chunk of first) {
      const call = chunk.choices[0]?.delta?.tool_calls?.[0]
      if (call?.id) id = call.id
      if (call?.function?.arguments) args.push(call.function.arguments)
      finish ??= chunk.choices[0]?.finish_reason
    }
    expect([JSON.parse(args.join('')), finish]).toEqual([{ city: '北京' }, 'tool_calls'])
    expect(id).toMatch(/^call_/)
    const second = await client.chat.completions.create({
      model: 'gemini-2.5-flash',
      tools,
      messages: [
        { role: 'user', content: '北京天气？' },
        { role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args.join('') } }] },
        { role: 'tool', tool_call_id: id, content: '晴' },
      ],
    })
    expect(second.choices[0]!.message.content).toBe('The tool said: 晴')
    expect(fake.requests.at(-1)!.body.contents.at(-1)).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { content: '晴' } } }] })
  })

  it('vision: an image part reaches Gemini as inline data', async () => {
    const client = await start()
    const content = [
      { type: 'text' as const, text: 'what is it?' },
      { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]
    const res = await client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content }] })
    expect(res.choices[0]!.message.content).toBe('I see 1 image(s).')
    expect(fake.requests.at(-1)!.body.contents[0].parts[1]).toEqual({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } })
  })

  it('a wrong key is refused (503, no credential left); an unknown model keeps its 404; quota is a rate limit', async () => {
    fake = await startFakeGemini()
    app = await startTestApp({ config: { providers: { 'gemini-api': { base_url: `${fake.url}/v1beta`, credentials: ['AIza-wrong'] } } } })
    await expect(app.openai().chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 503 })
    await app.close()
    await fake.close()
    const client = await start({ models: ['fake-quota', 'fake-no-such-model'] })
    const fail = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: { status: number }) => e.status)
    expect(await fail('fake-no-such-model')).toBe(404)
    expect(await fail('fake-quota')).toBe(429)
  })
})
