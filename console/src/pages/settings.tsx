// The live configuration sections from /conf/get (secrets arrive masked); a field saves through
// /conf/update, which validates it and says why when it refuses.
import { useState } from 'preact/hooks'
import { ApiFailure, call } from '../api.js'
import { LoadError, Notice, useAction, useLoad } from '../ui.js'

type Sections = Record<string, Record<string, unknown>>

const show = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v))

function Setting({ section, name, value, onSaved }: { section: string; name: string; value: unknown; onSaved: () => void }) {
  const [text, setText] = useState(show(value))
  const action = useAction()
  const save = async (e: Event) => {
    e.preventDefault()
    if (await action.run(() => call('POST', '/conf/update', { type: section, key: name, value: text }), `${section}.${name} saved.`)) onSaved()
  }
  return (
    <form class="setting" onSubmit={save}>
      <label>
        <span>{name}</span>
        <input value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={text === show(value)}>
        Save
      </button>
      <Notice notice={action.notice} />
    </form>
  )
}

export function Settings() {
  const conf = useLoad(() =>
    call<Sections | null>('GET', '/conf/get').catch((e: unknown) => {
      // null: the relay has no runtime configuration routes, which is not an error
      if (e instanceof ApiFailure && e.status === 404) return null
      throw e
    }),
  )
  if (conf.error) return <LoadError error={conf.error} />
  if (conf.data === undefined) return <p class="empty">Loading…</p>
  if (conf.data === null) return <p class="empty">This relay has no runtime configuration routes (/conf/get).</p>
  return (
    <section>
      <h1>Settings</h1>
      {Object.entries(conf.data).map(([section, fields]) => (
        <fieldset key={section}>
          <legend>{section}</legend>
          {Object.entries(fields ?? {}).map(([name, value]) => (
            <Setting key={`${section}.${name}`} section={section} name={name} value={value} onSaved={conf.reload} />
          ))}
        </fieldset>
      ))}
    </section>
  )
}
