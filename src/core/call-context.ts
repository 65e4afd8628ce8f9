// Build the CallContext an adapter receives for one call with one credential.
import type { Logger } from '../kit/log.js'
import type { CallContext } from '../kit/types.js'
import type { Lease } from './credential-pool.js'
import type { ProviderInstance } from './provider-registry.js'

export function callContext(instance: ProviderInstance, lease: Lease, signal: AbortSignal, log: Logger): CallContext {
  return {
    // A getter: saveState replaces the view, and an adapter that reads its state again later in
    // the same call (after evicting a refused token, say) must see what it saved, not the old copy.
    get credential() {
      return lease.view
    },
    saveState: (patch) => {
      lease.saveState(patch)
      lease.view = { ...lease.view, state: { ...lease.view.state, ...patch } }
    },
    http: instance.http,
    signal,
    settings: instance.settings,
    log: log.child(instance.name),
    ...(lease.exclusive ? { exclusive: lease.exclusive } : {}),
  }
}
