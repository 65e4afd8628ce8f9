// anthropic-api through the whole app: the official openai SDK calls Freeway's OpenAI door, Freeway
// calls the fake Messages API.
import { afterEach, describe, expect, it } from 'vitest'
import { ANSWER_PARTS, type FakeAnthropic, GOOD_KEY, THINKING_PARTS, TOOL_INTRO, startFakeAnthropic } from '../../test/fakes/anthropic-api.js'
import { type TestApp, startTestApp } from '../../test/helpers/app.js'

let fake: FakeAnthropic
let app: TestApp
afterEach(async () => {
  await app?.close()
  await fake?.close()
})

async function start(block: Record<string, unknown> = {}, name = 'anthropic-api') {
  fake = await startFakeAnthropic()
  app = await startTestApp({ config: { providers: { [name]: { base_url: fake.url, credentials: [GOOD_KEY], ...block } } } })
  return app.openai()
}

const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]

describe('anthropic-api end to end', () => {
  it('a fresh install does not list it', async () => {
    fake = await startFakeAnthropic()
    app = await startTestApp()
    const ids = (await app.openai().models.list()).data.map((m) => m.id)
    expect(ids.some((id) => id.startsWith('claude-'))).toBe(false)
  })

  it('is listed once configured, with its -thinking variants', async () => {
    const client = await start()
    const ids = (await client.models.list()).data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'claude-sonnet-4-5-thinking', 'claude-haiku-4-5']))
  })

  it('answers streaming and non-streaming with upstream usage; system prompts reach the top-level system', async () => {
    const client = await start()
    const messages = [{ role: 'system' as const, content: '用中文回答' }, { role: 'user' as const, content: '你好' }]
    const res = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages })
    expect(res.choices[0]!.message.content).toBe(ANSWER_PARTS.join(''))
    expect(res.usage).toMatchObject({ prompt_tokens: 28, completion_tokens: 5 })
    expect(fake.requests.at(-1)!.body).toMatchObject({ system: [{ type: 'text', text: '用中文回答' }], messages: [{ role: 'user', content: [{ type: 'text', text: '你好' }] }] })

    const stream = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages, stream: true, stream_options: { include_usage: true } })
    let text = ''
    let finish: string | null | undefined
    let usage: unknown
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      finish ??= chunk.choices[0]?.finish_reason
      usage ??= chunk.usage
    }
    expect([text, finish]).toEqual([ANSWER_PARTS.join(''), 'stop'])
    expect(usage).toMatchObject({ prompt_tokens: 28, completion_tokens: 5 })
  })

  it('the -thinking suffix comes back as reasoning_content', async () => {
    const client = await start()
    const res = await client.chat.completions.create({ model: 'claude-sonnet-4-5-thinking', messages: [{ role: 'user', content: '1+1?' }] })
    const message = res.choices[0]!.message as { content: string | null; reasoning_content?: string }
    expect(message.reasoning_content).toBe(THINKING_PARTS.join(''))
    expect(message.content).toBe(ANSWER_PARTS.join(''))
    expect(fake.requests.at(-1)!.body.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 })
  })

  it('a tool call round trip through the OpenAI SDK', async () => {
    const client = await start()
    const first = await client.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: '北京天气？' }], tools, stream: true })
    const args: string[] = []
    let id = ''
    let finish: string | null | undefined
    for await (const chunk of first) {
      const call = chunk.choices[0]?.delta?.tool_calls?.[0]
      if (call?.id) id = call.id
      if (call?.function?.arguments) args.push(call.function.arguments)
      finish ??= chunk.choices[0]?.finish_reason
    }
    expect([id, JSON.parse(args.join('')), finish]).toEqual(['toolu_01FakeBeijing', { city: '北京' }, 'tool_calls'])

    const second = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      tools,
      messages: [
        { role: 'user', content: '北京天气？' },
        { role: 'assistant', content: TOOL_INTRO, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: args.join('') } }] },
        { role: 'tool', tool_call_id: id, content: '晴' },
      ],
    })
    expect(second.choices[0]!.message.content).toBe('The tool said: 晴')
    expect(fake.requests.at(-1)!.body.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '晴' }] })
  })

  it('an Anthropic-compatible endpoint as a named instance with its own models', async () => {
    const client = await start({ type: 'anthropic-api', models: [{ id: 'my-claude', upstream: 'claude-haiku-4-5' }] }, 'compat')
    const res = await client.chat.completions.create({ model: 'my-claude', messages: [{ role: 'user', content: 'hi' }] })
    expect(res.choices[0]!.message.content).toBe(ANSWER_PARTS.join(''))
    expect(fake.requests.at(-1)!.body.model).toBe('claude-haiku-4-5')
  })

  it('a wrong key: the only credential is refused and the request fails with 503', async () => {
    fake = await startFakeAnthropic()
    app = await startTestApp({ config: { providers: { 'anthropic-api': { base_url: fake.url, credentials: ['sk-ant-revoked'] } } } })
    const call = app.openai().chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })
    await expect(call).rejects.toMatchObject({ status: 503 })
    expect(fake.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-revoked')
  })

  it("an overloaded upstream is a 5xx for the client; an unknown upstream model keeps the upstream's 404", async () => {
    const client = await start({ models: ['fake-overloaded', 'fake-no-such-model'] })
    const fail = (model: string) =>
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
        () => undefined,
        (e: { status: number; message: string }) => e,
      )
    expect((await fail('fake-overloaded'))!.status).toBeGreaterThanOrEqual(500)
    expect(await fail('fake-no-such-model')).toMatchObject({ status: 404, message: expect.stringContaining('model: fake-no-such-model') })
  })
})
