// Small building blocks shared by the pages: a load-and-error hook, notices, tables, a bar chart.
import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'

export interface Loaded<T> {
  data: T | undefined
  error: string | undefined
  reload: () => void
}

/** Runs `load` now and whenever `deps` change or reload() is called; keeps the last error. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<string>()
  const [tick, setTick] = useState(0)
  // The caller names what the load depends on (deps); `tick` is reload().
  useEffect(() => {
    let live = true
    load().then(
      (d) => {
        if (!live) return
        setData(d)
        setError(undefined)
      },
      (e: Error) => {
        if (live) setError(e.message)
      },
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) }
}

/** Runs an action, reporting its failure or success in a notice. */
export function useAction() {
  const [notice, setNotice] = useState<{ kind: 'error' | 'ok'; text: string }>()
  const run = async (action: () => Promise<unknown>, done?: string) => {
    try {
      await action()
      setNotice(done ? { kind: 'ok', text: done } : undefined)
      return true
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message })
      return false
    }
  }
  return { notice, run, clear: () => setNotice(undefined) }
}

export const Notice = ({ notice }: { notice: { kind: 'error' | 'ok'; text: string } | undefined }) =>
  notice ? (
    <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      {notice.text}
    </p>
  ) : null

export const LoadError = ({ error }: { error: string | undefined }) => (error ? <Notice notice={{ kind: 'error', text: error }} /> : null)

export function Table<T>({ rows, columns, empty, label }: { rows: T[]; columns: [string, (row: T) => ComponentChildren][]; empty: string; label: string }) {
  if (!rows.length) return <p class="empty">{empty}</p>
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map(([title]) => (
              <th key={title} scope="col">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map(([title, cell]) => (
                <td key={title} data-label={title}>
                  {cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export const Field = ({ label, children }: { label: string; children: ComponentChildren }) => (
  // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child
  <label class="field">
    <span>{label}</span>
    {children}
  </label>
)

/** Vertical bars, one per bucket; the values are also in the bars' titles and an sr-only table. */
export function BarChart({ values, labels, title }: { values: number[]; labels: string[]; title: string }) {
  const max = Math.max(1, ...values)
  const w = 100 / Math.max(1, values.length)
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={`${title}: ${values.reduce((a, b) => a + b, 0)} in all`}>
        {values.map((v, i) => (
          <rect key={labels[i]} x={i * w + w * 0.1} width={w * 0.8} y={40 - (v / max) * 38} height={(v / max) * 38}>
            <title>{`${labels[i]}: ${v}`}</title>
          </rect>
        ))}
      </svg>
    </figure>
  )
}

export const Status = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>
