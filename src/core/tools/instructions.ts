// The prompt text that teaches a web chat the calling convention. It goes into the system message
// once; an upstream that keeps the conversation sees it on the first turn only, so nothing here
// may depend on the turn. Per-turn demands (tool_choice) travel as a short reminder instead.
import type { ToolChoice, ToolSpec } from './catalog.js'
import { CLOSE_TAG, OPEN_TAG } from './convention.js'

/** `$schema` URLs are noise to a model and cost tokens on every tool. */
const dropSchemaUrls = (key: string, value: unknown) => (key === '$schema' ? undefined : value)

export function toolInstructions(tools: readonly ToolSpec[], parallel: boolean): string {
  const catalog = tools.map((t) => JSON.stringify(t, dropSchemaUrls)).join('\n')
  return [
    '# Tools',
    'You can call the tools below, one JSON object per line with name, description and parameters (a JSON Schema):',
    catalog,
    'To call a tool, write a block exactly like this, with arguments that match its parameters:',
    OPEN_TAG,
    '{"name": "tool_name", "arguments": {"parameter": "value"}}',
    CLOSE_TAG,
    parallel
      ? 'Write one block per call; independent calls may follow one another.'
      : 'Call at most one tool per answer: write a single block.',
    'After your blocks, stop: the results come back in the next message as "tool result for <name> (<call id>): ...". ' +
      'Never write results yourself. Call only the tools listed here. When no tool is needed, answer normally, without blocks.',
  ].join('\n')
}

/** One line for the newest user message when tool_choice demands something this turn. */
export function choiceReminder(choice: ToolChoice): string | undefined {
  switch (choice.kind) {
    case 'required':
      return `(Answer with at least one ${OPEN_TAG} block.)`
    case 'named':
      return `(Answer by calling the tool ${choice.name} in a ${OPEN_TAG} block.)`
    case 'none':
      return '(Do not call any tool in this answer.)'
    default:
      return undefined
  }
}
