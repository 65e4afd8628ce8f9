// What the fake hix.ai says: tRPC envelopes, the Cloudflare interstitial, and chat streams.

const trpcCodes: Record<string, [number, number]> = {
  UNAUTHORIZED: [-32001, 401],
  FORBIDDEN: [-32003, 403],
  NOT_FOUND: [-32004, 404],
  BAD_REQUEST: [-32600, 400],
  TOO_MANY_REQUESTS: [-32029, 429],
}

export function trpcError(code: string, message: string, path: string, usageType?: string) {
  const [rpc, httpStatus] = trpcCodes[code] ?? [-32603, 500]
  return {
    error: { json: { message, code: rpc, data: { code, httpStatus, path, appName: 'HIXChat', ...(usageType ? { usageType } : {}) } } },
  }
}

export const trpcOk = (json: unknown) => ({ result: { data: { json } } })

export const cloudflarePage = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper"><noscript>Enable JavaScript and cookies to continue</noscript></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: 'hix.ai',cType: 'managed'};}());</script></body></html>`

/** Bots that think before answering; they stream reasoning_content and then thinking_time. */
const THINKING_BOTS = new Set(['deepseek-r1', 'openai-o1', 'openai-o1-mini', 'openai-o3-mini'])

const data = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`

/** Splits text into pieces of a few characters, as the real stream trickles them. */
function pieces(text: string, size = 4): string[] {
  const chars = [...text]
  const out: string[] = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out
}

/** The answer names the bot, the turn within the chat, the question, the search and the image, so tests can check each. */
export function replyText(bot: string, turn: number, question: string, searchType?: string, imageBytes?: number): string {
  const extras = [searchType ? `搜索=${searchType}` : '', imageBytes ? `图片=${imageBytes}字节` : ''].filter(Boolean).join(' ')
  return `[${bot}] 第${turn}轮 答复：${question}${extras ? ` (${extras})` : ''}`
}

export function reasoningText(question: string): string {
  return `先想一想「${question.slice(0, 12)}」…`
}

export function chatReply(bot: string, turn: number, question: string, searchType?: string, imageBytes?: number): string[] {
  const lines: string[] = [': ping\n\n']
  if (THINKING_BOTS.has(bot)) {
    for (const p of pieces(reasoningText(question))) lines.push(data({ reasoning_content: p }))
    lines.push(data({ thinking_time: 2.5 }))
  }
  const answer = pieces(replyText(bot, turn, question, searchType, imageBytes))
  answer.forEach((p, i) => {
    lines.push(data({ content: p }))
    if (i === 0) lines.push(data({ relatedQuestions: [] }), 'event: heartbeat\n\n')
  })
  lines.push('data: [DONE]\n\n')
  return lines
}
