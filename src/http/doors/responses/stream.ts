// DeltaEvents → the Responses event stream: `event:` and `data:` lines, each event numbered
// (sequence_number) from response.created through response.completed, response.incomplete or
// response.failed. The stream has no [DONE] line: the final response event ends it.
import type { Usage } from '../../../core/tally.js'
import type { DeltaEvent, FinishReason } from '../../../kit/types.js'
import { type BuilderOptions, OutputBuilder } from './output.js'
import { type ResponseMeta, type ResponseState, responseObject } from './response.js'

/** How the answer ended, as a response status. */
export function endState(finish: FinishReason | undefined): Pick<ResponseState, 'status' | 'incompleteReason'> {
  if (finish === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' }
  if (finish === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' }
  return { status: 'completed' }
}

export class ResponseEvents {
  readonly builder: OutputBuilder
  started = false
  private sequence = 0
  private pending = ''
  private finish: FinishReason | undefined

  constructor(
    private readonly meta: ResponseMeta,
    options: Omit<BuilderOptions, 'announce'>,
    private readonly now: () => number = Date.now,
  ) {
    this.builder = new OutputBuilder({ ...options, announce: (type, fields) => this.push(type, fields) })
  }

  private push(type: string, fields: Record<string, unknown>): void {
    this.pending += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...fields })}\n\n`
  }

  private take(): string {
    const out = this.pending
    this.pending = ''
    return out
  }

  /** response.created and response.in_progress, once. */
  start(): string {
    if (this.started) return ''
    this.started = true
    const response = responseObject(this.meta, { status: 'in_progress', output: [] })
    this.push('response.created', { response })
    this.push('response.in_progress', { response })
    return this.take()
  }

  write(e: DeltaEvent): string {
    const head = this.start()
    if (e.type === 'finish') this.finish = e.reason
    this.builder.add(e)
    return head + this.take()
  }

  /** Close the open items; the final response object (also what a store keeps). */
  close(usage: Usage): Record<string, unknown> {
    const state = endState(this.finish)
    this.builder.finish(state.status === 'incomplete' ? 'incomplete' : 'completed')
    return responseObject(this.meta, { ...state, output: this.builder.items, usage, completedAt: Math.floor(this.now() / 1000) })
  }

  /** The closing events after close(): items done, then response.completed or response.incomplete. */
  end(response: Record<string, unknown>): string {
    const head = this.start()
    this.push(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response })
    return head + this.take()
  }

  /** An error after the stream began: response.failed with what was produced so far. */
  fail(error: { code: string; message: string }, usage: Usage | undefined): string {
    const head = this.start()
    this.push('response.failed', { response: responseObject(this.meta, { status: 'failed', output: this.builder.snapshot(), usage, error }) })
    return head + this.take()
  }
}
