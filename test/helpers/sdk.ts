// Drain an openai SDK chat stream into what the client saw.
export interface Drained {
  text: string
  reasoning: string
  chunks: any[]
}

export async function drainChat(stream: AsyncIterable<any>): Promise<Drained> {
  const out: Drained = { text: '', reasoning: '', chunks: [] }
  for await (const chunk of stream) {
    out.chunks.push(chunk)
    const delta = chunk.choices?.[0]?.delta as { content?: string; reasoning_content?: string } | undefined
    out.text += delta?.content ?? ''
    out.reasoning += delta?.reasoning_content ?? ''
  }
  return out
}
