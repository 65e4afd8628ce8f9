// Records: filter by user, model and time; read what was asked and answered; soft delete.
import { useState } from 'preact/hooks'
import { call, query, when } from '../api.js'
import { Field, LoadError, Notice, Table, useAction, useLoad } from '../ui.js'
import { Usage } from './usage.js'
import { Pager } from './users.js'

interface RecordRow {
  id: number
  user_id: string | null
  question: string
  answer: string
  token: number
  create_time: string
  record_type: number
  model: string | null
  served_model: string | null
}

const TYPES: Record<number, string> = { 1: 'API chat', 2: 'session', 3: 'image', 4: 'audio', 5: 'video', 6: 'embedding' }
/** The day after a picked "until" date, so the date itself is included. */
const dayAfter = (date: string) => (date ? new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10) : '')
const short = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text)

export function Records() {
  const [filter, setFilter] = useState({ user_id: '', model: '', since: '', until: '', deleted: '0' })
  const [page, setPage] = useState(1)
  const params = { page, pageSize: 20, user_id: filter.user_id, model: filter.model, since: filter.since, until: dayAfter(filter.until), isDeleted: filter.deleted }
  const records = useLoad(() => call<{ list: RecordRow[]; total: number }>('GET', `/record/list${query(params)}`), [JSON.stringify(params)])
  const action = useAction()
  const set = (field: keyof typeof filter) => (e: Event) => {
    setFilter({ ...filter, [field]: (e.currentTarget as HTMLInputElement).value })
    setPage(1)
  }
  const remove = async (id: number) => {
    if (await action.run(() => call('POST', '/record/delete', { id }), `Record ${id} deleted.`)) records.reload()
  }

  return (
    <section>
      <h1>Records</h1>
      <form class="inline" aria-label="Filter records" onSubmit={(e) => e.preventDefault()}>
        <Field label="User">
          <input value={filter.user_id} onInput={set('user_id')} />
        </Field>
        <Field label="Model">
          <input value={filter.model} onInput={set('model')} />
        </Field>
        <Field label="From">
          <input type="date" value={filter.since} onInput={set('since')} />
        </Field>
        <Field label="Until">
          <input type="date" value={filter.until} onInput={set('until')} />
        </Field>
        <Field label="Show">
          <select value={filter.deleted} onChange={set('deleted')}>
            <option value="0">kept</option>
            <option value="1">deleted</option>
            <option value="">all</option>
          </select>
        </Field>
      </form>
      <Notice notice={action.notice} />
      <LoadError error={records.error} />
      <Table
        label="Records"
        rows={records.data?.list ?? []}
        empty="No records match."
        columns={[
          ['When', (r) => when(r.create_time)],
          ['User', (r) => r.user_id ?? '—'],
          ['Type', (r) => TYPES[r.record_type] ?? r.record_type],
          ['Model', (r) => (r.served_model && r.served_model !== r.model ? `${r.model} → ${r.served_model}` : (r.model ?? '—'))],
          ['Question', (r) => short(r.question)],
          ['Answer', (r) => short(r.answer)],
          ['Tokens', (r) => r.token],
          [
            '',
            (r) => (
              <button type="button" class="danger" onClick={() => remove(r.id)} aria-label={`Delete record ${r.id}`}>
                Delete
              </button>
            ),
          ],
        ]}
      />
      <Pager page={page} total={records.data?.total ?? 0} size={20} onPage={setPage} />
      <Usage />
    </section>
  )
}
