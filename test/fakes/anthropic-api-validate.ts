// The request checks the real Messages API makes (as its 400 invalid_request_error messages
// describe them), so the adapter cannot pass the fake with a body Anthropic would refuse.
const ALLOWED_KEYS = new Set([
  'model', 'messages', 'max_tokens', 'system', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences',
  'tools', 'tool_choice', 'thinking', 'metadata', 'output_config', 'service_tier', 'context_management',
])
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])
/** Models that take only adaptive thinking (budget_tokens is a 400 there). */
export const ADAPTIVE_ONLY = new Set(['claude-opus-4-7'])

type Obj = Record<string, any>
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v)
const blocksOf = (content: unknown): Obj[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : (content as Obj[]))

function checkBlock(b: unknown, where: string, role: string): string | undefined {
  if (!isObj(b) || typeof b.type !== 'string') return `${where}: each content block needs a type`
  if (b.type === 'text') return typeof b.text === 'string' && b.text ? undefined : `${where}: text content blocks must be non-empty`
  if (b.type === 'image') {
    const s = b.source
    if (isObj(s) && s.type === 'base64' && IMAGE_TYPES.has(s.media_type) && typeof s.data === 'string' && s.data) return undefined
    if (isObj(s) && s.type === 'url' && /^https?:\/\//.test(s.url)) return undefined
    return `${where}.source: invalid image source`
  }
  if (b.type === 'tool_use') {
    if (role !== 'assistant') return `${where}: tool_use blocks are only allowed in assistant messages`
    return typeof b.id === 'string' && b.id && typeof b.name === 'string' && isObj(b.input) ? undefined : `${where}: tool_use needs id, name and an input object`
  }
  if (b.type === 'tool_result') {
    if (role !== 'user') return `${where}: tool_result blocks are only allowed in user messages`
    if (b.content === undefined || typeof b.content === 'string') return undefined
    return Array.isArray(b.content) ? b.content.map((c: unknown, i: number) => checkBlock(c, `${where}.content.${i}`, role)).find(Boolean) : `${where}.content: must be a string or blocks`
  }
  if (b.type === 'document') return isObj(b.source) ? undefined : `${where}: document needs a source`
  if (b.type === 'thinking' || b.type === 'redacted_thinking') {
    return role === 'assistant' && (typeof b.signature === 'string' || typeof b.data === 'string') ? undefined : `${where}: thinking blocks need their signature`
  }
  return `${where}: unknown content block type ${b.type}`
}

function checkMessages(messages: unknown, hasTools: boolean): string | undefined {
  if (!Array.isArray(messages) || !messages.length) return 'messages: at least one message is required'
  let previous: Obj | undefined
  for (const [i, m] of messages.entries()) {
    const where = `messages.${i}`
    if (!isObj(m)) return `${where}: must be an object`
    if (m.role === 'system') return `${where}.role: Input should be 'user' or 'assistant' (use the top-level system parameter)`
    if (m.role !== 'user' && m.role !== 'assistant') return `${where}.role: Input should be 'user' or 'assistant'`
    if (i === 0 && m.role !== 'user') return 'messages: the first message must use the "user" role'
    if (previous && previous.role === m.role) return `messages: roles must alternate between "user" and "assistant" (messages.${i - 1} and ${where})`
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `${where}.content: must be a string or a list of blocks`
    if (typeof m.content === 'string' ? !m.content : !m.content.length) return `${where}: all messages must have non-empty content`
    const blocks = blocksOf(m.content)
    for (const [j, b] of blocks.entries()) {
      const err = checkBlock(b, `${where}.content.${j}`, m.role)
      if (err) return err
    }
    if (!hasTools && blocks.some((b) => b.type === 'tool_use' || b.type === 'tool_result'))
      return 'Requests which include `tool_use` or `tool_result` blocks must define tools.'
    const uses = previous?.role === 'assistant' ? blocksOf(previous.content).filter((b) => b.type === 'tool_use').map((b) => b.id) : []
    const results = blocks.filter((b) => b.type === 'tool_result')
    for (const r of results) if (!uses.includes(r.tool_use_id)) return `${where}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${r.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`
    if (m.role === 'user' && uses.length) {
      const answered = new Set(results.map((r) => r.tool_use_id))
      const missing = uses.filter((id) => !answered.has(id))
      if (missing.length) return `${where}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`
      const firstOther = blocks.findIndex((b) => b.type !== 'tool_result')
      if (firstOther !== -1 && blocks.slice(firstOther).some((b) => b.type === 'tool_result')) return `${where}: tool_result blocks must come first in the content`
    }
    previous = m
  }
  return undefined
}

function checkTools(body: Obj): string | undefined {
  if (body.tools === undefined) return body.tool_choice === undefined ? undefined : 'tool_choice: requires tools'
  if (!Array.isArray(body.tools)) return 'tools: must be a list'
  for (const [i, t] of body.tools.entries()) {
    if (!isObj(t) || typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) return `tools.${i}.name: invalid tool name`
    if (!isObj(t.input_schema) || t.input_schema.type !== 'object') return `tools.${i}.input_schema: type must be "object"`
  }
  const choice = body.tool_choice
  if (choice === undefined) return undefined
  if (!isObj(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type)) return 'tool_choice: type must be auto, any, tool or none'
  if (choice.type === 'tool' && !body.tools.some((t: Obj) => t.name === choice.name)) return `tool_choice.name: no tool named ${choice.name}`
  return undefined
}

function checkThinking(body: Obj): string | undefined {
  const t = body.thinking
  if (t === undefined || (isObj(t) && t.type === 'disabled')) return undefined
  if (!isObj(t) || (t.type !== 'enabled' && t.type !== 'adaptive')) return 'thinking.type: must be enabled, adaptive or disabled'
  if (t.type === 'enabled') {
    if (ADAPTIVE_ONLY.has(body.model)) return `thinking.type.enabled is not supported for this model. Use thinking.type.adaptive`
    if (!Number.isInteger(t.budget_tokens) || t.budget_tokens < 1024) return 'thinking.budget_tokens: Input should be greater than or equal to 1024'
    if (t.budget_tokens >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`'
  }
  if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled'
  if (body.top_k !== undefined) return '`top_k` is not compatible with thinking'
  if (body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool') return 'Thinking may not be enabled when tool_choice forces tool use.'
  const lastAssistant = body.messages.findLast((m: Obj) => m.role === 'assistant')
  const blocks = lastAssistant ? blocksOf(lastAssistant.content) : []
  if (blocks.some((b) => b.type === 'tool_use') && blocks[0]?.type !== 'thinking' && blocks[0]?.type !== 'redacted_thinking')
    return 'messages: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.'
  return undefined
}

/** The first reason the real API would refuse this body, or undefined. */
export function validateMessagesBody(body: Obj): string | undefined {
  for (const key of Object.keys(body)) if (!ALLOWED_KEYS.has(key)) return `${key}: Extra inputs are not permitted`
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required'
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required'
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system) || body.system.some((b: Obj) => !isObj(b) || b.type !== 'text' || !b.text)) return 'system: must be a string or a list of non-empty text blocks'
  }
  if (body.temperature !== undefined && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)) return 'temperature: Input should be less than or equal to 1'
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s: unknown) => typeof s === 'string' && s.trim()))) return 'stop_sequences: each must be a non-empty string'
  if (body.metadata !== undefined && !(isObj(body.metadata) && Object.keys(body.metadata).every((k) => k === 'user_id'))) return 'metadata: only user_id is allowed'
  return checkTools(body) ?? checkMessages(body.messages, Array.isArray(body.tools) && body.tools.length > 0) ?? checkThinking(body)
}
