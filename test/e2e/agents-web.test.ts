// Claude Code and Codex CLI through Freeway to a web chat (the deepseek-web fake, PoW and all) with
// tool emulation: the tools go into the prompt, the fake's model answers in the calling convention
// when asked to run the marker command, the relay turns the block into a real tool call, the CLI
// runs it, and the result goes back as text in the same upstream conversation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FakeDeepseek, startFakeDeepseek } from '../fakes/deepseek-web.js'
import { AGENT_BASH_COMMAND, AGENT_COMMAND } from '../fakes/openai-upstream.js'
import { WEB_AGENT_ASK } from '../fakes/web-agent.js'
import { type AgentTarget, codexCommands, codexMessages, removeAgentDirs, runClaude, runCodex } from '../helpers/agents.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { keyFor } from '../helpers/compat.js'

let fake: FakeDeepseek
let app: TestApp
let target: AgentTarget

beforeAll(async () => {
  // Two accounts, as the README advises for agents: a web account answers one request at a time.
  fake = await startFakeDeepseek({ userTokens: ['agent-token-a', 'agent-token-b'] })
  app = await startTestApp({ config: { providers: { 'deepseek-web': { base_url: fake.url, credentials: ['agent-token-a', 'agent-token-b'] } } } })
  target = { url: app.url, baseURL: app.baseURL, key: await keyFor(app, 'web-coder') }
})
afterAll(async () => {
  await app.close()
  await fake.close()
  removeAgentDirs()
})

const TOOLS_LISTED = '"name":"exec_command"'
const completionsSince = (before: number) => fake.completions.slice(before).filter((c) => c.path === '/api/v0/chat/completion')
const promptOf = (c: { body: Record<string, unknown> }) => String(c.body.prompt)

/** The tool round trip's upstream side: a new conversation with the catalogue, then the result alone in it. */
function expectCompactRoundTrip(before: number, tool: string, marker: string) {
  const sent = completionsSince(before)
  const first = sent.find((c) => promptOf(c).includes(WEB_AGENT_ASK))!
  expect(promptOf(first)).toContain(`{"name":"${tool}"`)
  expect(first.body.parent_message_id).toBeNull()
  const next = sent.at(-1)!
  expect(next.body.chat_session_id).toBe(first.body.chat_session_id)
  expect(next.body.parent_message_id).not.toBeNull()
  expect(promptOf(next)).toMatch(new RegExp(`^tool result for ${tool} \\(call_[^)]+\\): [\\s\\S]*${marker}`))
  expect(promptOf(next)).not.toContain('# Tools')
}

describe('Claude Code to a web chat with tool emulation', () => {
  it('completes a text turn', async () => {
    const before = fake.completions.length
    const out = await runClaude(target, 'deepseek-chat', 'Say hello')
    expect(out.is_error).toBe(false)
    expect(out.result).toMatch(/^第1轮回答：/)
    // Its tools reach the web model as the emulation's catalogue, in the first prompt.
    expect(promptOf(completionsSince(before)[0]!)).toContain('{"name":"Bash"')
  }, 120_000)

  it('completes a Bash tool round trip: the block → tool_use → tool_result → answer', async () => {
    const before = fake.completions.length
    const out = await runClaude(target, 'deepseek-chat', WEB_AGENT_ASK, '--allowedTools', 'Bash(echo *)')
    expect(out.is_error).toBe(false)
    expect(out.result).toMatch(/^The tool said: freeway-tool-ok/)
    expect(out.num_turns).toBeGreaterThanOrEqual(2)
    expectCompactRoundTrip(before, 'Bash', AGENT_BASH_COMMAND.replace('echo ', ''))
  }, 120_000)
})

describe('Codex CLI to a web chat with tool emulation', () => {
  it('completes a text turn', async () => {
    const before = fake.completions.length
    const run = await runCodex(target, 'deepseek-chat', 'say hi')
    expect(run.code, run.stderr).toBe(0)
    expect(codexMessages(run)).toEqual(['第1轮回答：say hi。'])
    expect(promptOf(completionsSince(before)[0]!)).toContain(TOOLS_LISTED)
  }, 120_000)

  it('runs a tool round trip: the block → function_call → the command → function_call_output → answer', async () => {
    const before = fake.completions.length
    const run = await runCodex(target, 'deepseek-chat', WEB_AGENT_ASK)
    expect(run.code, run.stderr).toBe(0)
    expect(codexCommands(run)).toEqual([expect.objectContaining({ command: expect.stringContaining(AGENT_COMMAND), exit_code: 0 })])
    expect(codexMessages(run).at(-1)).toMatch(/^The tool said: .*freeway-agent-ok/s)
    // No markup reaches the client as text.
    expect(run.stdout).not.toContain('<tool_call>')
    expectCompactRoundTrip(before, 'exec_command', 'freeway-agent-ok')
  }, 120_000)
})
