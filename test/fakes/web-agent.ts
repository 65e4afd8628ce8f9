// How a web chat's model behaves when Freeway's tool emulation has taught it the calling
// convention: it reads the tool catalogue in its prompt, calls a tool when asked to run the marker
// command, and reports a tool result that comes back as text. Web fakes use it to answer coding
// agents (Claude Code, Codex CLI) the way a real web model following the convention would.
import { AGENT_BASH_COMMAND, AGENT_COMMAND } from './openai-upstream.js'

/** The request that makes the model call a tool; other prompts get the fake's ordinary answer. */
export const WEB_AGENT_ASK = 'Run the marker command.'

/**
 * The tool names a prompt's catalogue offers: lines that are JSON objects with a name and a
 * parameters schema, the shape the emulation lists its tools in. None when tools are not offered.
 */
export function offeredTools(prompt: string): string[] {
  const names: string[] = []
  for (const line of prompt.split('\n')) {
    if (!line.startsWith('{"name":')) continue
    try {
      const tool = JSON.parse(line) as { name?: unknown; parameters?: unknown }
      if (typeof tool.name === 'string' && typeof tool.parameters === 'object') names.push(tool.name)
    } catch {
      // a line of prose that happens to start like JSON
    }
  }
  return names
}

/** A call in the convention's block: the model's whole answer when it decides to use a tool. */
const block = (name: string, args: Record<string, unknown>) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`

/**
 * The answer to the newest user turn given the tools the conversation offers, or undefined for
 * the fake's ordinary answer. A tool result ("tool result for <name> (<id>): <output>") is
 * reported back; the marker request calls exec_command (Codex), Bash (Claude Code) or the first tool.
 */
export function webAgentAnswer(userTurn: string, tools: readonly string[]): string | undefined {
  if (!tools.length) return undefined
  // An id has no spaces, unlike the "(<call id>)" of the convention's own explanation.
  const result = /tool result for ([\w.-]+) \([^)\s]+\): ([\s\S]*)/.exec(userTurn)
  if (result && tools.includes(result[1]!)) return `The tool said: ${result[2]!.trim()}`
  if (!userTurn.includes(WEB_AGENT_ASK)) return undefined
  if (tools.includes('exec_command')) return block('exec_command', { cmd: AGENT_COMMAND })
  if (tools.includes('Bash')) return block('Bash', { command: AGENT_BASH_COMMAND, description: 'Print a marker' })
  return block(tools[0]!, {})
}
