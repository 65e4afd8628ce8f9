// The Responses `response` object: the request's settings echoed back around the output, status
// and usage, as OpenAI returns it (whole, in response.created/completed events, and from GET).
import type { Usage } from '../../../core/tally.js'
import type { ResponsesBody } from './validate.js'
import type { OutputItem } from './output.js'

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed'

/** The request's settings a response repeats; fixed when the turn starts. */
export interface ResponseMeta {
  id: string
  createdAt: number
  model: string
  body: ResponsesBody
  store: boolean
}

export interface ResponseState {
  status: ResponseStatus
  output: readonly OutputItem[]
  usage?: Usage | undefined
  error?: { code: string; message: string } | undefined
  incompleteReason?: 'max_output_tokens' | 'content_filter' | undefined
  completedAt?: number | undefined
}

export function usageJson(u: Usage) {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.promptTokens + u.completionTokens,
  }
}

export function responseObject(meta: ResponseMeta, s: ResponseState): Record<string, unknown> {
  const b = meta.body
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: s.status,
    background: false,
    completed_at: s.completedAt ?? null,
    error: s.error ?? null,
    incomplete_details: s.incompleteReason ? { reason: s.incompleteReason } : null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model: meta.model,
    output: s.output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    prompt_cache_key: b.prompt_cache_key ?? null,
    reasoning: { effort: b.reasoning?.effort ?? null, summary: b.reasoning?.summary ?? null },
    store: meta.store,
    temperature: b.temperature ?? 1,
    text: { format: b.text?.format ?? { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: 'disabled',
    usage: s.usage ? usageJson(s.usage) : null,
    user: b.user ?? null,
    metadata: b.metadata ?? {},
  }
}
