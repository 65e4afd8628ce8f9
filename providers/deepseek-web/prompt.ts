// DeepSeek's web chat takes one prompt string per turn. A new conversation gets the whole history
// folded into it with DeepSeek's own chat-template markers, so the model reads the turns as turns.
import { textOf } from '../../src/kit/messages.js'
import type { ChatMessage } from '../../src/kit/types.js'

export const USER_MARK = '<｜User｜>'
export const ASSISTANT_MARK = '<｜Assistant｜>'
export const END_OF_SENTENCE = '<｜end▁of▁sentence｜>'
const MARKDOWN_IMAGE = /!\[[^\]]*\]\([^)]*\)/g

type Turn = { role: 'user' | 'assistant'; text: string }

/** Same-role runs merged; system, developer and tool text count as user-side context. */
function turnsOf(messages: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = []
  for (const m of messages) {
    const text = textOf(m.content).replace(MARKDOWN_IMAGE, '').trim()
    if (!text) continue
    const role = m.role === 'assistant' ? 'assistant' : 'user'
    const last = turns.at(-1)
    if (last?.role === role) last.text += `\n\n${text}`
    else turns.push({ role, text })
  }
  return turns
}

/**
 * One string for a new conversation. A lone user turn is sent unchanged; otherwise the first turn
 * is plain and later ones carry the User/Assistant markers, assistant turns closed by
 * end-of-sentence, as the web client's own history looks to the model.
 */
export function buildPrompt(messages: readonly ChatMessage[]): string {
  return turnsOf(messages)
    .map((turn, i) => {
      if (turn.role === 'assistant') return `${ASSISTANT_MARK}${turn.text}${END_OF_SENTENCE}`
      return i === 0 ? turn.text : `${USER_MARK}${turn.text}`
    })
    .join('')
}

/** The newest user turn alone, for continuing a conversation upstream. */
export function newestUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!
    if (m.role === 'user') return textOf(m.content).replace(MARKDOWN_IMAGE, '').trim()
  }
  return ''
}
