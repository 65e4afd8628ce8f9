// Codex CLI (the @openai/codex npm package, run offline) through Freeway's Responses door: a
// custom model provider with wire_api = "responses", a text turn, and a tool round trip where the
// fake upstream asks for a shell command, Codex runs it and sends back function_call_output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_COMMAND, FAKE_ANSWER, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js'
import { type AgentTarget, type CodexRun, codexCommands, codexMessages, removeAgentDirs, runCodex } from '../helpers/agents.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeOpenAI
let app: TestApp
let target: AgentTarget

beforeAll(async () => {
  fake = await startFakeOpenAI()
  app = await startTestApp({
    config: { providers: { up: { type: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-good', models: ['fake-model', 'agent'] } } },
  })
  target = { url: app.url, baseURL: app.baseURL, key: await keyFor(app, 'codex-user') }
})
afterAll(async () => {
  await app.close()
  await fake.close()
  removeAgentDirs()
})

const codexExec = (model: string, prompt: string): Promise<CodexRun> => runCodex(target, model, prompt)

const responsesCalls = () => fake.requests.filter((r) => r.path === '/v1/chat/completions')

describe('Codex CLI', () => {
  it('completes a text turn', async () => {
    const before = responsesCalls().length
    const run = await codexExec('fake-model', 'say hi')
    expect(run.code, run.stderr).toBe(0)
    expect(codexMessages(run)).toEqual([FAKE_ANSWER.join('')])
    const sent = responsesCalls().slice(before)
    expect(sent).toHaveLength(1)
    // Codex's base prompt arrives as a developer message, which goes upstream as system.
    expect(sent[0]!.body.messages[0].role).toBe('system')
    expect(sent[0]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'say hi' })
    expect(sent[0]!.body.tools.map((t: any) => t.function.name)).toContain('exec_command')
  }, 120_000)

  it('runs a tool round trip: function_call, the command, function_call_output, the answer', async () => {
    const before = responsesCalls().length
    const run = await codexExec('agent', 'run the check')
    expect(run.code, run.stderr).toBe(0)
    const commands = codexCommands(run)
    expect(commands).toEqual([expect.objectContaining({ command: expect.stringContaining(AGENT_COMMAND), exit_code: 0 })])
    const answers = codexMessages(run)
    expect(answers.at(-1)).toMatch(/^The tool said: .*freeway-agent-ok/s)
    // Codex adds up the usage of both requests from their response.completed events.
    expect(run.events.find((e) => e.type === 'turn.completed').usage).toMatchObject({ input_tokens: 22, output_tokens: 14 })
    const sent = responsesCalls().slice(before)
    expect(sent).toHaveLength(2)
    const [, second] = sent
    const call = second!.body.messages.find((m: any) => m.tool_calls)
    expect(call.tool_calls[0].function).toEqual({ name: 'exec_command', arguments: JSON.stringify({ cmd: AGENT_COMMAND }) })
    expect(second!.body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call.tool_calls[0].id, content: expect.stringContaining('freeway-agent-ok') })
  }, 120_000)
})
