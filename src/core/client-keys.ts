// Client API keys: hashed at rest, cached in memory by hash, so checking a key costs one hash.
import { randomBytes } from 'node:crypto'
import type { Db } from '../db/client.js'
import { type ClientKeyRow, countKeys, findKeyByHash } from '../db/keys.repo.js'
import { sha256 } from '../db/secret-box.js'

export const generateKey = () => `sk-fw-${randomBytes(24).toString('base64url')}`

export const keyDisplay = (key: string) => ({ keyHash: sha256(key), prefix: key.slice(0, 6), suffix: key.slice(-4) })

export class ClientKeys {
  private readonly byHash = new Map<string, ClientKeyRow | null>()
  private anyKey: boolean | undefined

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The key's row if it exists, is enabled and has not expired. Synchronous once the key's hash is
   * cached (every request after a key's first): the request path then awaits nothing here.
   */
  verify(key: string): ClientKeyRow | undefined | Promise<ClientKeyRow | undefined> {
    const hash = sha256(key)
    const row = this.byHash.get(hash)
    if (row !== undefined) return this.usable(row)
    return findKeyByHash(this.db, hash).then((found) => {
      if (this.byHash.size > 10_000) this.byHash.clear()
      this.byHash.set(hash, found ?? null)
      return this.usable(found ?? null)
    })
  }

  private usable(row: ClientKeyRow | null): ClientKeyRow | undefined {
    if (!row?.enabled) return undefined
    if (row.expiresAt && row.expiresAt <= this.now()) return undefined
    return row
  }

  /** Whether any key exists; synchronous once known. */
  hasAny(): boolean | Promise<boolean> {
    if (this.anyKey !== undefined) return this.anyKey
    return countKeys(this.db).then((n) => {
      this.anyKey = n > 0
      return this.anyKey
    })
  }

  /** After any admin change here (other instances are told through onInvalidate, when they share). */
  invalidate(): void {
    this.forget()
    this.onInvalidate?.()
  }

  /** Drop what is cached: keys changed (here, or on another instance). */
  forget(): void {
    this.byHash.clear()
    this.anyKey = undefined
  }

  onInvalidate: (() => void) | undefined
}
