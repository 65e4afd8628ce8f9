// The official openai SDK, through Freeway, against a fake OpenAI-compatible upstream.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_ANSWER, FAKE_USAGE, type FakeOpenAI, choiceParts, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

let fake: FakeOpenAI
let app: TestApp
let client: OpenAI

const models = ['fake-model', 'tools', 'reasoner', 'bad-request', 'malformed', 'drop', 'hang', 'choices']

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: {
      providers: {
        upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models },
        // Failures cool or count against a credential, so each gets an instance of its own.
        limited: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['rate-limited'] },
        failing: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['broken'] },
        slow: {
          type: 'openai-compatible',
          base_url: `${fake.url}/v1`,
          api_key: 'sk-upstream-good',
          models: ['slow-headers'],
          timeout_ms: 500,
        },
      },
    },
  })
  client = app.openai()
})
afterAll(async () => {
  await app.close()
  await fake.close()
})

const user = (content: string) => [{ role: 'user' as const, content }]

describe('non-stream', () => {
  it('returns the completion with upstream usage and relay headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'fake-model', messages: user('hi'), temperature: 0.3, seed: 42 } as any)
      .withResponse()
    expect(data.object).toBe('chat.completion')
    expect(data.choices[0]!.message.content).toBe(FAKE_ANSWER.join(''))
    expect(data.choices[0]!.finish_reason).toBe('stop')
    expect(data.usage).toMatchObject(FAKE_USAGE)
    expect(response.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/)
    expect(response.headers.get('server-timing')).toMatch(/^relay;dur=\d+\.\d+$/)
    const sent = fake.requests.at(-1)!.body
    expect(sent).toMatchObject({ model: 'fake-model', temperature: 0.3, seed: 42, stream: false })
  })

  it('passes image parts through to the upstream', async () => {
    const content = [
      { type: 'text' as const, text: '这是什么？' },
      { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]
    await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content }] })
    expect(fake.requests.at(-1)!.body.messages[0].content).toEqual(content)
  })

  it('returns tool calls', async () => {
    const res = await client.chat.completions.create({
      model: 'tools',
      messages: user('weather?'),
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
    })
    expect(res.choices[0]!.finish_reason).toBe('tool_calls')
    expect(res.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } },
    ])
    expect(fake.requests.at(-1)!.body.tools).toHaveLength(1)
  })

  it('puts reasoning in reasoning_content, or in <think> with the -fold suffix', async () => {
    const field = await client.chat.completions.create({ model: 'reasoner', messages: user('q') })
    expect((field.choices[0]!.message as any).reasoning_content).toBe('先想一想。')
    const fold = await client.chat.completions.create({ model: 'reasoner-fold', messages: user('q') })
    expect(fold.choices[0]!.message.content).toBe(`<think>\n先想一想。\n</think>\n\n${FAKE_ANSWER.join('')}`)
    expect(fake.requests.at(-1)!.body.model).toBe('reasoner')
  })
})

describe('stream', () => {
  it('streams role, deltas, finish and no usage unless asked (but always asks upstream)', async () => {
    const stream = await client.chat.completions.create({ model: 'fake-model', messages: user('hi'), stream: true })
    const chunks = []
    for await (const c of stream) chunks.push(c)
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' })
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(FAKE_ANSWER.join(''))
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop')
    expect(chunks.some((c) => c.usage)).toBe(false)
    expect(fake.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true })
  })

  it('sends a usage chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'fake-model',
      messages: user('hi'),
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const c of stream) chunks.push(c)
    const last = chunks.at(-1)!
    expect(last.choices).toEqual([])
    expect(last.usage).toMatchObject(FAKE_USAGE)
  })

  it('streams tool call deltas', async () => {
    const stream = await client.chat.completions.create({ model: 'tools', messages: user('w'), stream: true })
    let args = ''
    let name = ''
    let finish = ''
    for await (const c of stream) {
      const call = c.choices[0]?.delta.tool_calls?.[0]
      if (call?.function?.name) name = call.function.name
      args += call?.function?.arguments ?? ''
      finish = c.choices[0]?.finish_reason ?? finish
    }
    expect({ name, args, finish }).toEqual({ name: 'get_weather', args: '{"city":"北京"}', finish: 'tool_calls' })
  })

  it('passes n > 1 through and returns every choice, whole and streamed', async () => {
    const whole = await client.chat.completions.create({ model: 'choices', messages: user('q'), n: 3 })
    expect(whole.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, choiceParts(0).join(''), 'stop'],
      [1, choiceParts(1).join(''), 'stop'],
      [2, choiceParts(2).join(''), 'stop'],
    ])
    expect(fake.requests.at(-1)!.body.n).toBe(3)
    const stream = await client.chat.completions.create({ model: 'choices', messages: user('q'), n: 2, stream: true })
    const texts: string[] = ['', '']
    const finishes: (string | null)[] = [null, null]
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        texts[c.index] += c.delta.content ?? ''
        finishes[c.index] = c.finish_reason ?? finishes[c.index]!
      }
    }
    expect(texts).toEqual([choiceParts(0).join(''), choiceParts(1).join('')])
    expect(finishes).toEqual(['stop', 'stop'])
  })

  it('refuses n > 1 with a clear 400 for web chats, which answer once', async () => {
    const err = await client.chat.completions.create({ model: 'deepseek-chat', messages: user('q'), n: 2 }).catch((e) => e)
    expect(err.status).toBe(400)
    expect(err.error).toMatchObject({ param: 'n', message: expect.stringContaining('deepseek-web') })
  })

  it('returns the upstream\'s logprobs, whole and streamed', async () => {
    const whole = await client.chat.completions.create({ model: 'choices', messages: user('q'), logprobs: true, top_logprobs: 2 })
    const content = whole.choices[0]!.logprobs!.content!
    expect(content.map((t) => t.token)).toEqual(choiceParts(0))
    expect(content[0]!.top_logprobs).toHaveLength(2)
    const stream = await client.chat.completions.create({ model: 'choices', messages: user('q'), logprobs: true, stream: true })
    const tokens: string[] = []
    for await (const chunk of stream) for (const t of chunk.choices[0]?.logprobs?.content ?? []) tokens.push(t.token)
    expect(tokens).toEqual(choiceParts(0))
  })

  it('keeps content null in a streamed tool-only answer, as the SDK accumulates it', async () => {
    const runner = client.chat.completions.stream({ model: 'tools', messages: user('w') })
    const final = await runner.finalChatCompletion()
    expect(final.choices[0]!.message.content).toBeNull()
    expect(final.choices[0]!.message.tool_calls?.[0]?.function.name).toBe('get_weather')
  })

  it('streams reasoning as reasoning_content', async () => {
    const stream = await client.chat.completions.create({ model: 'reasoner', messages: user('q'), stream: true })
    let reasoning = ''
    for await (const c of stream) reasoning += (c.choices[0]?.delta as any)?.reasoning_content ?? ''
    expect(reasoning).toBe('先想一想。')
  })

  it('ends a malformed upstream stream with an error event, not fake text', async () => {
    const stream = await client.chat.completions.create({ model: 'malformed', messages: user('x'), stream: true })
    let text = ''
    await expect(async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? ''
    }).rejects.toThrow(/malformed stream chunk/)
    expect(text).toBe(FAKE_ANSWER.slice(0, 2).join(''))
  })

  it('reports a mid-stream upstream disconnect as an error event', async () => {
    const res = await fetch(`${app.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'drop', messages: user('x'), stream: true }),
    })
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(text).toMatch(/data: \{"error":\{"message":"[^"]+","type":"api_error","param":null,"code":"upstream_error"\}\}\n\ndata: \[DONE\]\n\n$/)
  })
})

describe('upstream failures', () => {
  it('maps 429 to 429', async () => {
    const err = await client.chat.completions.create({ model: 'rate-limited', messages: user('x') }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    expect(err.message).toMatch(/Rate limit reached/)
  })

  it('maps 500 to 502', async () => {
    const err = await client.chat.completions.create({ model: 'broken', messages: user('x') }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err.status).toBe(502)
  })

  it('passes an upstream 400 through without retrying', async () => {
    const before = fake.requests.length
    const err = await client.chat.completions.create({ model: 'bad-request', messages: user('x') }).catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(fake.requests.length - before).toBe(1)
  })

  it('maps an upstream timeout to 504', async () => {
    const err = await client.chat.completions.create({ model: 'slow-headers', messages: user('x') }).catch((e) => e)
    expect(err.status).toBe(504)
    expect(err.error?.code ?? err.code).toBe('upstream_timeout')
  })
})

describe('client abort', () => {
  it('closes the upstream connection when the client goes away', async () => {
    const before = fake.closedEarly
    const controller = new AbortController()
    const stream = await client.chat.completions.create(
      { model: 'hang', messages: user('x'), stream: true },
      { signal: controller.signal },
    )
    const it = stream[Symbol.asyncIterator]()
    await it.next() // role chunk
    controller.abort()
    // The SDK may end the iterator or throw on abort; either way the upstream must see the close.
    await (async () => {
      for (;;) if ((await it.next()).done) break
    })().catch(() => undefined)
    await expect.poll(() => fake.closedEarly, { timeout: 3000 }).toBe(before + 1)
  })
})
