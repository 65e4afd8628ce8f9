// Client keys: create (the raw key shown once, with a copy button), list masked, disable, revoke.
import { useState } from 'preact/hooks'
import { call, when } from '../api.js'
import { Field, LoadError, Notice, Table, useAction, useLoad } from '../ui.js'

interface Key {
  id: string
  apiKey: string
  remark: string
  enabled: boolean
  expiresAt: number | null
  allowedModels: string[] | null
  userId: string | null
  actForOthers: boolean
  lastUsedTime: string | null
  rpm: number | null
  tpm: number | null
  concurrency: number | null
}

const blank = { remark: '', userId: '', allowedModels: '', expiresAt: '', actForOthers: false, rpm: '', tpm: '', concurrency: '' }

/** The form's fields as PUT /api/key takes them; empty fields are left out. */
function keyBody(f: typeof blank) {
  const models = f.allowedModels
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
  return {
    remark: f.remark,
    actForOthers: f.actForOthers,
    ...(f.userId.trim() ? { userId: f.userId.trim() } : {}),
    ...(models.length ? { allowedModels: models } : {}),
    ...(f.expiresAt ? { expiresAt: f.expiresAt } : {}),
    // Rate limits: empty means none.
    ...(f.rpm ? { rpm: Number(f.rpm) } : {}),
    ...(f.tpm ? { tpm: Number(f.tpm) } : {}),
    ...(f.concurrency ? { concurrency: Number(f.concurrency) } : {}),
  }
}

const limitsText = (k: Key) =>
  [k.rpm && `${k.rpm} rpm`, k.tpm && `${k.tpm} tpm`, k.concurrency && `${k.concurrency} at once`].filter(Boolean).join(', ') || 'none'

export function Keys({ onCreated }: { onCreated: (key: string) => void }) {
  const keys = useLoad(() => call<Key[]>('GET', '/api/key/all'))
  const action = useAction()
  const [form, setForm] = useState(blank)
  const [created, setCreated] = useState<string>()
  const set = (field: keyof typeof blank) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value })

  const create = async (e: Event) => {
    e.preventDefault()
    await action.run(async () => {
      const key = await call<Key>('PUT', '/api/key', keyBody(form))
      setCreated(key.apiKey)
      onCreated(key.apiKey)
      setForm(blank)
      keys.reload()
    })
  }
  const act = async (what: () => Promise<unknown>, done: string) => {
    if (await action.run(what, done)) keys.reload()
  }

  return (
    <section>
      <h1>Client keys</h1>
      <form class="inline" onSubmit={create} aria-label="Create a key">
        <Field label="Remark">
          <input value={form.remark} onInput={set('remark')} />
        </Field>
        <Field label="Owner user">
          <input value={form.userId} onInput={set('userId')} placeholder="none: not billed" />
        </Field>
        <Field label="Allowed models (comma separated)">
          <input value={form.allowedModels} onInput={set('allowedModels')} placeholder="all" />
        </Field>
        <Field label="Expires">
          <input type="date" value={form.expiresAt} onInput={set('expiresAt')} />
        </Field>
        <Field label="Requests per minute">
          <input type="number" min="1" value={form.rpm} onInput={set('rpm')} placeholder="no limit" />
        </Field>
        <Field label="Tokens per minute">
          <input type="number" min="1" value={form.tpm} onInput={set('tpm')} placeholder="no limit" />
        </Field>
        <Field label="Concurrent requests">
          <input type="number" min="1" value={form.concurrency} onInput={set('concurrency')} placeholder="no limit" />
        </Field>
        <label class="check">
          <input type="checkbox" checked={form.actForOthers} onChange={(e) => setForm({ ...form, actForOthers: e.currentTarget.checked })} />
          may act for other users
        </label>
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div class="created" role="status">
          <p>The new key, shown this once:</p>
          <code data-testid="new-key">{created}</code>
          <button type="button" onClick={() => navigator.clipboard?.writeText(created).catch(() => undefined)}>
            Copy
          </button>
        </div>
      )}
      <Notice notice={action.notice} />
      <LoadError error={keys.error} />
      <Table
        label="Client keys"
        rows={keys.data ?? []}
        empty="No keys yet."
        columns={[
          ['Key', (k) => <code>{k.apiKey}</code>],
          ['Remark', (k) => k.remark],
          ['User', (k) => k.userId ?? '—'],
          ['Models', (k) => k.allowedModels?.join(', ') ?? 'all'],
          ['Expires', (k) => when(k.expiresAt)],
          ['Limits', (k) => limitsText(k)],
          ['Enabled', (k) => (k.enabled ? 'yes' : 'no')],
          ['Last used', (k) => when(k.lastUsedTime)],
          [
            'Actions',
            (k) => (
              <span class="actions">
                <button type="button" onClick={() => act(() => call('POST', '/api/key/update', { id: k.id, enabled: !k.enabled }), `Key ${k.apiKey} updated.`)}>
                  {k.enabled ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() => confirm(`Revoke key ${k.apiKey}?`) && act(() => call('DELETE', `/api/key/${k.id}`), `Key ${k.apiKey} revoked.`)}
                >
                  Revoke
                </button>
              </span>
            ),
          ],
        ]}
      />
    </section>
  )
}
