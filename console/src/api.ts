// The console is a client of the admin API: every call carries the secret the operator signed in
// with (kept in sessionStorage, so it dies with the tab) and unwraps the API's envelope.
const SECRET_KEY = 'freeway.console.secret'
/** Fired when the API refuses the stored secret. */
export const SIGNED_OUT = 'freeway-signed-out'

export const secret = {
  get: (): string | null => sessionStorage.getItem(SECRET_KEY),
  set: (value: string) => sessionStorage.setItem(SECRET_KEY, value),
  clear: () => sessionStorage.removeItem(SECRET_KEY),
}

/** The relay's route prefix, written into the page by the server. */
export const routePrefix = document.querySelector<HTMLMetaElement>('meta[name="freeway-route-prefix"]')?.content ?? ''

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

interface Envelope<T> {
  code: number
  message?: string
  msg?: string
  data?: T
}

/** Calls an admin route (/api, /user, /record, /conf) and returns its `data`, or throws its message. */
export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { authorization: secret.get() ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const env = (await res.json().catch(() => ({ code: res.status, message: `${res.status} ${res.statusText}` }))) as Envelope<T>
  // The secret changed or was revoked while the tab was open: back to the sign-in form.
  if (res.status === 401 && !path.endsWith('/auth/verify')) dispatchEvent(new Event(SIGNED_OUT))
  if (!res.ok || env.code !== 0) throw new ApiFailure(res.status, env.message ?? env.msg ?? `${res.status} ${res.statusText}`)
  return env.data as T
}

export const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const text = q.toString()
  return text ? `?${text}` : ''
}

export const when = (ms: number | string | null | undefined) => {
  if (ms === null || ms === undefined || ms === '') return '—'
  const d = typeof ms === 'number' ? new Date(ms) : new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toLocaleString()
}
