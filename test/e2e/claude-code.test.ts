// Claude Code itself (the npm package's native CLI, headless) through Freeway's Messages door to
// the fake OpenAI upstream: a text turn and a Bash tool round trip, offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_BASH_COMMAND, FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type AgentTarget, removeAgentDirs, runClaude } from '../helpers/agents.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp
let target: AgentTarget

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: { providers: { upstream: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'agent'] } } },
  })
  target = { url: app.url, baseURL: app.baseURL, key: await keyFor(app, 'coder') }
})
afterAll(async () => {
  await app.close()
  await fake.close()
  removeAgentDirs()
})

const claude = (model: string, prompt: string, ...flags: string[]) => runClaude(target, model, prompt, ...flags)

const messageRequests = () => fake.requests.filter((r) => r.path === '/v1/chat/completions')

describe('Claude Code headless', () => {
  it('completes a text turn', async () => {
    const before = messageRequests().length
    const out = await claude('fake-model', 'Say hello')
    expect(out.is_error).toBe(false)
    expect(out.result).toBe(FAKE_ANSWER.join(''))
    const sent = messageRequests().slice(before)
    expect(sent.length).toBeGreaterThanOrEqual(1)
    const body = sent[0]!.body
    // Its system blocks, the system entry it puts among the messages and its tools all arrive mapped.
    expect(body.messages[0].role).toBe('system')
    expect(body.messages.some((m: any) => m.role === 'user' && typeof m.content === 'string' && m.content.includes('Say hello'))).toBe(true)
    expect(body.tools.map((t: any) => t.function.name)).toContain('Bash')
    expect(body.stream).toBe(true)
    expect(out.usage.output_tokens).toBeGreaterThan(0)
  }, 120_000)

  it('completes a Bash tool round trip: tool_use → tool_result → answer', async () => {
    const before = messageRequests().length
    const out = await claude('agent', 'Print the marker with echo', '--allowedTools', 'Bash(echo *)')
    expect(out.is_error).toBe(false)
    expect(out.result).toBe('The tool said: freeway-tool-ok')
    const sent = messageRequests().slice(before)
    const last = sent.at(-1)!.body.messages
    const call = last.find((m: any) => m.role === 'assistant' && m.tool_calls)
    expect(JSON.parse(call.tool_calls[0].function.arguments).command).toBe(AGENT_BASH_COMMAND)
    expect(last.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.tool_calls[0].id, content: 'freeway-tool-ok' })
  }, 120_000)
})
