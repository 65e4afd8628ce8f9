// Scripted bot behaviour for the fake Coze server.

export interface BotReply {
  answer?: string
  /** Several answer messages (multi-answer reply, ended by a verbose generate_answer_finish). */
  answers?: string[]
  reasoning?: string
  followUps?: string[]
  outcome?: 'completed' | 'failed' | 'refused' | 'requires_action' | 'error_event'
  lastError?: { code: number; msg: string }
  /** Payload of the `error` event (shape not pinned down by the spec). */
  errorData?: unknown
  /** Also send a conversation.audio.delta (a voice bot). */
  audio?: boolean
  deltaDelayMs?: number
  /** Non-stream: stay in_progress forever. */
  hang?: boolean
  /** Stream: drop the connection after the answer, before chat.completed. */
  truncate?: boolean
}

export interface BotInput {
  question: string
  history: ReadonlyArray<{ role: string; content: string }>
  turn: number
}

export interface FakeBot {
  /** false → code 4015 (not published to the API channel). */
  published?: boolean
  reply?: (input: BotInput) => BotReply
}

/** The default bot echoes the question and how much context the conversation holds. */
export const echoReply = (input: BotInput): BotReply => ({
  answer: `你好！你说的是「${input.question}」。这是第${input.turn}轮，会话里有${input.history.length}条消息。`,
  followUps: ['还想了解什么？'],
})

export function replyFor(bot: FakeBot, input: BotInput): BotReply {
  return (bot.reply ?? echoReply)(input)
}
