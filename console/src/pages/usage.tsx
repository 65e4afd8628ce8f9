// The newest usage rows (GET /api/usage): one per relayed request, with its status and timing.
import { useState } from 'preact/hooks'
import { call, query, when } from '../api.js'
import { Field, LoadError, Table, useLoad } from '../ui.js'

interface UsageRow {
  createdAt: number
  userId: string | null
  provider: string | null
  model: string
  servedModel: string | null
  status: number
  promptTokens: number
  completionTokens: number
  latencyMs: number
  charged: number
}

export function Usage() {
  const [provider, setProvider] = useState('')
  const usage = useLoad(() => call<UsageRow[]>('GET', `/api/usage${query({ limit: 50, provider })}`), [provider])
  return (
    <section>
      <h2>Usage (newest 50 requests)</h2>
      <Field label="Provider">
        <input value={provider} onInput={(e) => setProvider(e.currentTarget.value)} placeholder="all" />
      </Field>
      <LoadError error={usage.error} />
      <Table
        label="Usage"
        rows={usage.data ?? []}
        empty="No requests yet."
        columns={[
          ['When', (u) => when(u.createdAt)],
          ['User', (u) => u.userId ?? '—'],
          ['Provider', (u) => u.provider ?? '—'],
          ['Model', (u) => (u.servedModel && u.servedModel !== u.model ? `${u.model} → ${u.servedModel}` : u.model)],
          ['Status', (u) => u.status],
          ['Tokens in / out', (u) => `${u.promptTokens} / ${u.completionTokens}`],
          ['Latency', (u) => `${u.latencyMs} ms`],
          ['Charged', (u) => u.charged],
        ]}
      />
    </section>
  )
}
