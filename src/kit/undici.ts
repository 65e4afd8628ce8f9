// undici's index module loads everything the package offers (fetch, WebSocket, EventSource, cache
// stores, mocks): about 8 MB of memory a relay that only dispatches never uses. The Agent comes
// from its own module (the lockfile pins the version the path belongs to; every upstream test
// goes through it); the full package loads only for a proxy (its ProxyAgent needs the request
// API the index installs) or for fetch.
import { createRequire } from 'node:module'
import type * as Undici from 'undici'

const require = createRequire(import.meta.url)

export const Agent: typeof Undici.Agent = require('undici/lib/dispatcher/agent.js')
export const loadProxyAgent = (): typeof Undici.ProxyAgent => (require('undici') as typeof Undici).ProxyAgent
export type Dispatcher = Undici.Dispatcher

let undiciFetch: Promise<typeof Undici.fetch> | undefined
/** undici's fetch (the JSON convenience calls), loaded on first use. */
export const loadFetch = () => (undiciFetch ??= import('undici').then((m) => m.fetch))
