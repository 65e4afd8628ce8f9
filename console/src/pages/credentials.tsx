// Upstream credentials per provider: status, credit, last use; add, probe, enable/disable, delete.
// Secrets are only ever shown masked (the API masks them; the console never sees them whole).
import { useState } from 'preact/hooks'
import { call, query, when } from '../api.js'
import { Field, LoadError, Notice, Status, Table, useAction, useLoad } from '../ui.js'

interface Credential {
  id: string
  provider: string
  cookie: string
  remark: string
  status: string
  cooldownUntil: number | null
  lastError: string | null
  credit: number | null
  verified: boolean
  coolingModels: { model: string; until: string }[]
  lastUsedTime: string | null
}

const leftUntil = (ms: number | null) => {
  if (!ms) return ''
  const s = Math.max(0, Math.round((ms - Date.now()) / 1000))
  return s >= 60 ? ` (${Math.ceil(s / 60)} min left)` : ` (${s} s left)`
}

function statusText(c: Credential) {
  if (c.status === 'cooling') return leftUntil(c.cooldownUntil)
  if (c.status === 'invalid' && c.lastError) return ` — ${c.lastError}`
  if (c.coolingModels.length) return ` (cooling for ${c.coolingModels.map((m) => m.model).join(', ')})`
  return ''
}

/** A probe the upstream refused is a 200 carrying the error; the operator must see it as one. */
async function probe(id: string) {
  const r = await call<{ error: string | null }>('POST', `/api/credential/${id}/probe`)
  if (r.error) throw new Error(`probe failed: ${r.error}`)
}

export function Credentials() {
  const providers = useLoad(() => call<{ models: { providers: string[] }[] }>('GET', '/api/models'))
  const names = [...new Set((providers.data?.models ?? []).flatMap((m) => m.providers))].sort()
  const [provider, setProvider] = useState('')
  const list = useLoad(() => call<Credential[]>('GET', `/api/credential${query({ provider })}`), [provider])
  const action = useAction()
  const [form, setForm] = useState({ provider: '', secret: '', remark: '' })

  const act = async (what: () => Promise<unknown>, done: string) => {
    if (await action.run(what, done)) list.reload()
  }
  const add = async (e: Event) => {
    e.preventDefault()
    if (await action.run(() => call('PUT', '/api/credential', form), `Credential added to ${form.provider}.`)) {
      setForm({ ...form, secret: '', remark: '' })
      list.reload()
    }
  }

  return (
    <section>
      <h1>Credentials</h1>
      <form class="inline" onSubmit={add} aria-label="Add a credential">
        <Field label="Provider">
          <select required value={form.provider} onChange={(e) => setForm({ ...form, provider: e.currentTarget.value })}>
            <option value="">choose…</option>
            {names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <Field label="Secret (token, cookie or key as the README says)">
          <input required type="password" autoComplete="off" value={form.secret} onInput={(e) => setForm({ ...form, secret: e.currentTarget.value })} />
        </Field>
        <Field label="Remark">
          <input value={form.remark} onInput={(e) => setForm({ ...form, remark: e.currentTarget.value })} />
        </Field>
        <button type="submit">Add</button>
      </form>
      <Notice notice={action.notice} />
      <Field label="Show provider">
        <select value={provider} onChange={(e) => setProvider(e.currentTarget.value)}>
          <option value="">all</option>
          {names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </Field>
      <LoadError error={list.error ?? providers.error} />
      <Table
        label="Credentials"
        rows={list.data ?? []}
        empty="No credentials yet."
        columns={[
          ['Provider', (c) => c.provider],
          ['Secret', (c) => <code>{c.cookie}</code>],
          ['Remark', (c) => c.remark],
          [
            'Status',
            (c) => (
              <>
                <Status status={c.status} />
                {statusText(c)}
              </>
            ),
          ],
          ['Credit', (c) => c.credit ?? '—'],
          ['Last used', (c) => when(c.lastUsedTime)],
          [
            'Actions',
            (c) => (
              <span class="actions">
                <button type="button" onClick={() => act(() => probe(c.id), `${c.cookie} answered the probe.`)}>
                  Probe
                </button>
                <button
                  type="button"
                  onClick={() => act(() => call('POST', `/api/credential/${c.id}/enable`, { enabled: c.status === 'disabled' }), `Updated ${c.cookie}.`)}
                >
                  {c.status === 'disabled' ? 'Enable' : 'Disable'}
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() => confirm(`Delete credential ${c.cookie}?`) && act(() => call('DELETE', `/api/credential/${c.id}`), `Deleted ${c.cookie}.`)}
                >
                  Delete
                </button>
              </span>
            ),
          ],
        ]}
      />
    </section>
  )
}
