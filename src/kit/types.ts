// The adapter contract: everything a provider folder may rely on, and nothing about HTTP routes,
// the database or other providers.
import type { z } from 'zod'
import type { HttpClient } from './http.js'
import type { Logger } from './log.js'

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool'

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'input_audio'; input_audio: { data: string; format: string } }
  | { type: 'file'; file: Record<string, unknown> }

export interface ToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

export interface ChatMessage {
  role: Role
  content: string | ContentPart[] | null
  name?: string
  tool_calls?: ToolCall[]
  tool_call_id?: string
  reasoning_content?: string
}

export interface ChatRequest {
  /** Upstream model name after routing, suffixes removed. */
  model: string
  /** What the client asked for, suffixes included. */
  requestedModel: string
  /** Suffix flags without the dash, e.g. `search`, `silent`, `thinking`. */
  flags: ReadonlySet<string>
  messages: ChatMessage[]
  stream: boolean
  /** Choices wanted (only for adapters with multipleChoices; absent means one). */
  n?: number
  temperature?: number
  top_p?: number
  max_tokens?: number
  /** The name the client gave the limit: OpenAI-compatible upstreams get it under the same name (o-series and gpt-5 refuse max_tokens). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens'
  stop?: string[]
  tools?: unknown[]
  tool_choice?: unknown
  response_format?: unknown
  /** Reasoning the client asked for (Responses `reasoning`, Messages `thinking`); adapters map what they can. */
  reasoning?: ReasoningRequest
  user?: string
  /** Upstream conversation the client names explicitly (free-api `conversation_id`). */
  conversationId?: string
  /**
   * Set by the core when the incoming history extends a conversation this credential already
   * holds upstream: send only the newest user message and continue it.
   */
  continueFrom?: ConversationRef
  /** Parameters we do not model; passed to upstreams that accept arbitrary fields. */
  extra: Record<string, unknown>
}

export interface ReasoningRequest {
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high'
  /** Token budget for thinking, when the client named one. */
  budgetTokens?: number
}

export interface Citation {
  url: string
  title?: string
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

export type DeltaEvent =
  /** `choice` is set only for the second and later choices of an n > 1 request; `logprobs` as the upstream sent them. */
  | { type: 'text'; text: string; choice?: number; logprobs?: unknown[] }
  | { type: 'reasoning'; text: string; choice?: number }
  | { type: 'tool_call'; index: number; id?: string; name?: string; args: string; choice?: number }
  | { type: 'usage'; promptTokens: number; completionTokens: number; reasoningTokens?: number }
  /** Upstream conversation (and last message id) so a later turn can continue it. */
  | { type: 'conversation'; id: string; parentId?: string }
  | { type: 'citations'; items: Citation[] }
  | { type: 'finish'; reason: FinishReason; choice?: number }

export interface ModelSpec {
  /** Public model name. */
  id: string
  /** Name sent upstream, when it differs from `id`. */
  upstream?: string
  /** Suffix flags this model accepts (without dash), e.g. ['search', 'silent']. */
  suffixes?: readonly string[]
  ownedBy?: string
  /** What the model does; absent = chat. Media kinds are served by submitMedia/pollMedia. */
  kind?: 'chat' | 'embedding' | MediaKind
  /** Provider-owned metadata (credit cost, tier, bot id...). */
  meta?: Record<string, unknown>
}

export interface EmbeddingRequest {
  model: string
  input: string[] | number[][]
  encodingFormat?: 'float' | 'base64'
  dimensions?: number
  user?: string
  extra: Record<string, unknown>
}

export interface EmbeddingResult {
  /** One per input; a string is base64 as the upstream sent it when encodingFormat is base64. */
  vectors: (number[] | string)[]
  promptTokens?: number
}

/** Media an adapter makes: images (generation, edits, image-to-image), video, music, speech to text. */
export type MediaKind = 'image' | 'video' | 'music' | 'transcription'

/** One media job as the core hands it to an adapter (the OpenAI media routes and the seeds' routes alike). */
export interface MediaRequest {
  kind: MediaKind
  /** Upstream model after routing. */
  model: string
  prompt?: string
  negativePrompt?: string
  /** Input images (http(s) or data: URLs): edits, image-to-image, the first frame of image-to-video. */
  images?: string[]
  /** Image-to-video's last frame, when the model takes one. */
  lastFrame?: string
  /** Edit mask (http(s) or data: URL). */
  mask?: string
  /** Speech to transcribe (http(s) or data: URL). */
  audio?: string
  /** Instructions for a transcription (a system prompt, the text's context). */
  instructions?: string
  n?: number
  /** OpenAI's `WIDTHxHEIGHT` (`1024x1024`), or a vendor's own size word (`2K`, `720P`); adapters convert. */
  size?: string
  /** Length of a video or song. */
  seconds?: number
  quality?: string
  style?: string
  language?: string
  /** Vendor parameters passed through as they are (the seeds' `zidingyican` name/value pairs). */
  extra: Record<string, unknown>
  user?: string
}

export type MediaStatus = 'queued' | 'in_progress' | 'completed' | 'failed'

export interface MediaOutput {
  kind: 'image' | 'video' | 'audio'
  /** Where the result lives (upstream URLs usually expire after a day). */
  url?: string
  /** The result itself, base64, when the upstream returned bytes instead of a URL. */
  b64?: string
  mime?: string
}

/** Where a media job stands. */
export interface MediaSnapshot {
  status: MediaStatus
  /** 0..100, when the upstream says. */
  progress?: number
  outputs?: MediaOutput[]
  /** A transcription's text (or any text result). */
  text?: string
  /** What the upstream said went wrong (failed). */
  error?: string
  /** What the job made, for billing: images, seconds of video or audio, tokens (speech, vision). */
  usage?: { images?: number; seconds?: number; promptTokens?: number; completionTokens?: number }
}

/** A submitted job: finished at once (synchronous upstreams) or an upstream task to poll. */
export interface MediaJob extends MediaSnapshot {
  /** The upstream's task id while the work continues there; absent when the snapshot is final. */
  upstreamId?: string
  /** What the adapter needs to poll it later (endpoint, region...); persisted with the task. */
  state?: Record<string, unknown>
}

/** An upstream task to poll, as persisted by the core's task engine (it survives restarts). */
export interface MediaTaskRef {
  kind: MediaKind
  model: string
  upstreamId: string
  state: Record<string, unknown>
}

/** What the pool knows about a credential, as adapters see it. */
export interface CredentialView {
  /** Database id; null for pass-through tokens that are never stored. */
  id: number | null
  secret: string
  /** Provider-owned cached state (access tokens, device ids...). */
  state: Readonly<Record<string, unknown>>
  credit?: number | null
  advancedCredit?: number | null
  subscribed?: boolean | null
}

export interface CredentialHealth {
  ok: boolean
  /** Why not ok, safe to show an operator (no secrets). */
  reason?: string
  account?: string
  credit?: number
  advancedCredit?: number
  subscribed?: boolean
}

/** An upstream conversation that a later turn can continue. */
export interface ConversationRef {
  conversationId: string
  /** Last upstream message id, parent of the next turn, when the upstream threads messages. */
  parentId?: string
}

export interface CallContext<S = Record<string, unknown>> {
  credential: CredentialView
  /** Merge into the credential's cached state; persisted (encrypted) unless pass-through. */
  saveState(patch: Record<string, unknown>): void
  http: HttpClient
  /** Aborts when the client disconnects or the deadline passes. */
  signal: AbortSignal
  settings: S & CommonSettings
  log: Logger
  /**
   * With several instances (Redis): run work as the only instance doing it for this credential,
   * after re-reading the credential's stored state, so a token another instance just refreshed is
   * seen and reused. Absent on one instance; use it through acrossInstances() (kit/single-flight.ts).
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>
}

export interface CommonSettings {
  base_url: string
  enabled: boolean
  timeout_ms: number
  /** Time allowed between two upstream chunks once streaming. */
  idle_timeout_ms: number
  /** Concurrent requests per credential. */
  concurrency: number
  passthrough_tokens: boolean
  /** Continue upstream conversations when the history extends a known one. */
  multi_turn: boolean
  /** With multi_turn off, keep each one-shot conversation upstream instead of deleting it. */
  keep_conversations: boolean
  /** Emulate tool calls in the prompt for an upstream without function calling (web chats). */
  tool_emulation: boolean
}

export interface ProviderAdapter<S = Record<string, unknown>> {
  /** Instance name: the folder name, or the config key of an `openai-compatible` instance. */
  id: string
  credentialKind: 'cookie' | 'token' | 'api_key'
  models: readonly ModelSpec[]
  /** Suffix flags and what they do, for /v1/models and the README. */
  suffixes?: Readonly<Record<string, string>>
  /** True when the adapter needs no credential (e.g. an API without auth). */
  anonymous?: boolean
  chat(req: ChatRequest, ctx: CallContext<S>): AsyncIterable<DeltaEvent>
  /** Models of kind `embedding`: one vector per input. */
  embed?(req: EmbeddingRequest, ctx: CallContext<S>): Promise<EmbeddingResult>
  /**
   * Start a media job for a model whose kind is a MediaKind. A synchronous upstream returns the
   * final snapshot; an asynchronous one returns `upstreamId` (+ `state`) and the core polls. Errors
   * are the kit's typed errors, as for chat (a submit that fails may be retried on another credential).
   */
  submitMedia?(req: MediaRequest, ctx: CallContext<S>): Promise<MediaJob>
  /** Where an upstream task stands, asked with the credential that submitted it. */
  pollMedia?(task: MediaTaskRef, ctx: CallContext<S>): Promise<MediaSnapshot>
  probe?(ctx: CallContext<S>): Promise<CredentialHealth>
  /** Delete an upstream conversation (one-shot clean-up, pruning). */
  deleteConversation?(ref: ConversationRef, ctx: CallContext<S>): Promise<void>
  /** Turn what a user pastes (cookie header, JSON localStorage value...) into the stored secret. */
  normalizeSecret?(raw: string): string
  /**
   * Models that cannot be listed up front (e.g. a glm-web agent id): return a spec for a name the
   * static list does not know, or undefined.
   */
  resolveModel?(name: string): ModelSpec | undefined
  /** Text that opens the 503 when no credential is left (e.g. HixAI2Api's "No valid cookies available"). */
  exhaustedMessage?: string
  /** Answers several choices in one call: `n` passes through and events carry `choice`. */
  multipleChoices?: boolean
  /** Credit-aware providers: can this credential afford this model? */
  canServe?(model: ModelSpec, credential: CredentialView): boolean
}

export interface ProviderDefinition<S = Record<string, unknown>> {
  /** Folder name, config key (or `type` for instances) and database value. */
  id: string
  defaultBaseUrl: string
  /** Default per-credential concurrency; web accounts usually allow one stream. */
  defaultConcurrency?: number
  /** Extra settings beyond CommonSettings, validated once at startup. */
  settings?: z.ZodType<S>
  /** False for templates such as openai-compatible that exist only as configured instances. */
  enabledByDefault?: boolean
  create(name: string, settings: S & CommonSettings): ProviderAdapter<S>
}

export function defineProvider<S>(def: ProviderDefinition<S>): ProviderDefinition<S> {
  return def
}
