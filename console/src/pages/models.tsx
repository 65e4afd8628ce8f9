// Every routable model with its providers, suffixes and price, and a chat box that streams
// through /v1/chat/completions with a client key, as any client of the relay would.
import { useState } from 'preact/hooks'
import { call, routePrefix } from '../api.js'
import { Field, LoadError, Table, useLoad } from '../ui.js'

interface Price {
  prompt?: number
  completion?: number
  per_call?: number
}
interface Catalog {
  models: { id: string; providers: string[]; suffixes: string[]; kind: string; price: Price | null }[]
  routes: { name: string; route: unknown; price: Price | null }[]
  aliases: { name: string; target: string }[]
}

const priceText = (p: Price | null) =>
  p ? Object.entries(p).map(([k, v]) => `${k} ${v}`).join(', ') : '—'

/** Reads an OpenAI SSE stream, handing each content delta to `onText`; throws the stream's error. */
async function streamChat(key: string, model: string, prompt: string, onText: (t: string) => void, signal: AbortSignal) {
  const res = await fetch(`${routePrefix}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: prompt }] }),
    signal,
  })
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined
    throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`)
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffered += value
    const events = buffered.split('\n\n')
    buffered = events.pop() ?? ''
    for (const event of events) {
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n')
      if (!data || data === '[DONE]') continue
      const chunk = JSON.parse(data) as { error?: { message: string }; choices?: { delta?: { content?: string } }[] }
      if (chunk.error) throw new Error(chunk.error.message)
      const text = chunk.choices?.[0]?.delta?.content
      if (text) onText(text)
    }
  }
}

function TryIt({ models, lastKey }: { models: string[]; lastKey: string }) {
  const [key, setKey] = useState(lastKey)
  const [model, setModel] = useState(models[0] ?? '')
  const [prompt, setPrompt] = useState('')
  const [answer, setAnswer] = useState('')
  const [error, setError] = useState<string>()
  const [running, setRunning] = useState<AbortController>()

  const send = async (e: Event) => {
    e.preventDefault()
    const abort = new AbortController()
    setRunning(abort)
    setAnswer('')
    setError(undefined)
    try {
      await streamChat(key, model, prompt, (t) => setAnswer((a) => a + t), abort.signal)
    } catch (err) {
      if (!abort.signal.aborted) setError((err as Error).message)
    } finally {
      setRunning(undefined)
    }
  }

  return (
    <form class="try" onSubmit={send} aria-label="Try a model">
      <h2>Try it</h2>
      <Field label="Client key">
        <input required type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
      </Field>
      <Field label="Model">
        <select value={model} onChange={(e) => setModel(e.currentTarget.value)}>
          {models.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </Field>
      <Field label="Message">
        <textarea required rows={3} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
      </Field>
      {running ? (
        <button type="button" onClick={() => running.abort()}>
          Stop
        </button>
      ) : (
        <button type="submit">Send</button>
      )}
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <output class="answer" data-testid="answer" aria-live="polite">
        {answer}
      </output>
    </form>
  )
}

export function Models({ lastKey }: { lastKey: string }) {
  const { data, error } = useLoad(() => call<Catalog>('GET', '/api/models'))
  if (!data) return <LoadError error={error} />
  const chatModels = [...data.models.filter((m) => m.kind === 'chat').map((m) => m.id), ...data.routes.map((r) => r.name), ...data.aliases.map((a) => a.name)]
  return (
    <section>
      <h1>Models</h1>
      <TryIt models={chatModels} lastKey={lastKey} />
      <Table
        label="Models"
        rows={data.models}
        empty="No models."
        columns={[
          ['Model', (m) => m.id],
          ['Kind', (m) => m.kind],
          ['Providers', (m) => m.providers.join(', ')],
          ['Suffixes', (m) => m.suffixes.map((s) => `-${s}`).join(' ') || '—'],
          ['Price', (m) => priceText(m.price)],
        ]}
      />
      <h2>Routes and aliases</h2>
      <Table
        label="Routes and aliases"
        rows={[...data.routes.map((r) => ({ name: r.name, target: JSON.stringify(r.route), price: r.price })), ...data.aliases.map((a) => ({ ...a, price: null }))]}
        empty="No routes or aliases configured."
        columns={[
          ['Name', (r) => r.name],
          ['Target', (r) => <code>{r.target}</code>],
          ['Price', (r) => priceText(r.price)],
        ]}
      />
    </section>
  )
}
