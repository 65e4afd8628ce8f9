// Users: balances (granted / available), search, add tokens (idempotent per submission), set mode.
import { useState } from 'preact/hooks'
import { call, query, when } from '../api.js'
import { Field, LoadError, Notice, Table, useAction, useLoad } from '../ui.js'

interface User {
  user_id: string
  mode: string
  token: number
  avail_token: number
  updatetime: number
}

export function Users() {
  const [search, setSearch] = useState('')
  const [page, setPage] = useState(1)
  const users = useLoad(() => call<{ list: User[]; total: number }>('GET', `/user/list${query({ page, page_size: 20, user_id: search })}`), [search, page])
  const action = useAction()
  // One idempotency key per filled-in grant: a double submit adds once, the next grant is new.
  const [grant, setGrant] = useState({ user_id: '', token: '', key: crypto.randomUUID() })
  const [mode, setMode] = useState({ user_id: '', mode: '' })

  const add = async (e: Event) => {
    e.preventDefault()
    const ok = await action.run(
      () => call('POST', '/user/token/add', { user_id: grant.user_id, token: Number(grant.token) }, { 'idempotency-key': grant.key }),
      `Added ${grant.token} tokens to ${grant.user_id}.`,
    )
    if (ok) {
      setGrant({ user_id: '', token: '', key: crypto.randomUUID() })
      users.reload()
    }
  }
  const saveMode = async (e: Event) => {
    e.preventDefault()
    if (await action.run(() => call('POST', '/user/update/mode', mode), `Mode of ${mode.user_id} set to ${mode.mode}.`)) users.reload()
  }
  const total = users.data?.total ?? 0

  return (
    <section>
      <h1>Users</h1>
      <form class="inline" onSubmit={add} aria-label="Add tokens">
        <Field label="User">
          <input required value={grant.user_id} onInput={(e) => setGrant({ ...grant, user_id: e.currentTarget.value })} />
        </Field>
        <Field label="Tokens to add">
          <input required type="number" min="0" step="any" value={grant.token} onInput={(e) => setGrant({ ...grant, token: e.currentTarget.value })} />
        </Field>
        <button type="submit">Add tokens</button>
      </form>
      <form class="inline" onSubmit={saveMode} aria-label="Set mode">
        <Field label="User">
          <input required value={mode.user_id} onInput={(e) => setMode({ ...mode, user_id: e.currentTarget.value })} />
        </Field>
        <Field label="Mode (model)">
          <input required value={mode.mode} onInput={(e) => setMode({ ...mode, mode: e.currentTarget.value })} />
        </Field>
        <button type="submit">Set mode</button>
      </form>
      <Notice notice={action.notice} />
      <Field label="Search users">
        <input
          type="search"
          value={search}
          onInput={(e) => {
            setSearch(e.currentTarget.value)
            setPage(1)
          }}
        />
      </Field>
      <LoadError error={users.error} />
      <Table
        label="Users"
        rows={users.data?.list ?? []}
        empty="No users."
        columns={[
          ['User', (u) => u.user_id],
          ['Mode', (u) => u.mode || '—'],
          ['Granted', (u) => u.token],
          ['Available', (u) => <span data-testid={`avail-${u.user_id}`}>{u.avail_token}</span>],
          ['Updated', (u) => when(u.updatetime * 1000)],
        ]}
      />
      <Pager page={page} total={total} size={20} onPage={setPage} />
    </section>
  )
}

export function Pager({ page, total, size, onPage }: { page: number; total: number; size: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / size))
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        page {page} of {pages} ({total})
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  )
}
