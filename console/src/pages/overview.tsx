// The last 24 hours: requests, tokens and errors per hour, credentials by status, top users and models.
import { call } from '../api.js'
import { BarChart, LoadError, Table, useLoad } from '../ui.js'

interface Ranked {
  name: string
  requests: number
  tokens: number
}
interface Stats {
  hourly: { hour: number; requests: number; promptTokens: number; completionTokens: number; errors: number }[]
  credentials: Record<string, Record<string, number>>
  topUsers: Ranked[]
  topModels: Ranked[]
}

const hourLabel = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const rankColumns = (title: string): [string, (r: Ranked) => string | number][] => [
  [title, (r) => r.name],
  ['Requests', (r) => r.requests],
  ['Tokens', (r) => r.tokens],
]

export function Overview() {
  const { data, error } = useLoad(() => call<Stats>('GET', '/api/stats?hours=24'))
  if (!data) return <LoadError error={error} />
  const labels = data.hourly.map((h) => hourLabel(h.hour))
  const requests = data.hourly.map((h) => h.requests)
  const tokens = data.hourly.map((h) => h.promptTokens + h.completionTokens)
  const errors = data.hourly.map((h) => h.errors)
  const providers = Object.entries(data.credentials)
  return (
    <section>
      <h1>Overview</h1>
      <dl class="totals">
        <div>
          <dt>Requests (24 h)</dt>
          <dd data-testid="total-requests">{sum(requests)}</dd>
        </div>
        <div>
          <dt>Tokens (24 h)</dt>
          <dd data-testid="total-tokens">{sum(tokens)}</dd>
        </div>
        <div>
          <dt>Errors (24 h)</dt>
          <dd data-testid="total-errors">{sum(errors)}</dd>
        </div>
      </dl>
      <div class="charts">
        <BarChart title="Requests per hour" values={requests} labels={labels} />
        <BarChart title="Tokens per hour" values={tokens} labels={labels} />
        <BarChart title="Errors per hour" values={errors} labels={labels} />
      </div>
      <h2>Credentials by status</h2>
      <Table
        label="Credentials by status"
        rows={providers}
        empty="No providers."
        columns={[
          ['Provider', ([p]) => p],
          ...(['active', 'cooling', 'invalid', 'disabled'] as const).map((st): [string, (r: [string, Record<string, number>]) => number] => [st, ([, c]) => c[st] ?? 0]),
        ]}
      />
      <div class="two">
        <div>
          <h2>Top users</h2>
          <Table label="Top users" rows={data.topUsers} empty="No billed traffic yet." columns={rankColumns('User')} />
        </div>
        <div>
          <h2>Top models</h2>
          <Table label="Top models" rows={data.topModels} empty="No traffic yet." columns={rankColumns('Model')} />
        </div>
      </div>
    </section>
  )
}
