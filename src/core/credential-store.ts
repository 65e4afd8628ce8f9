// The one place credentials are read and written. Every insert, update, delete and state save
// goes through here, so the objects the pool hands out are the rows themselves, kept in step with
// the database: there is no cache for a caller to invalidate.
import type { Db } from '../db/client.js'
import {
  type Credential,
  type CredentialPatch,
  type NewCredential,
  deleteCredential,
  findDuplicate,
  insertCredential,
  listCredentials,
  touchCredentials,
  updateCredential,
} from '../db/credentials.repo.js'
import type { SecretBox } from '../db/secret-box.js'

/** What changed: a patch that was applied, or the credential was inserted or removed. */
export type CredentialChange = CredentialPatch | 'inserted' | 'removed'

const NONE: readonly Credential[] = Object.freeze([])
const TOUCH_FLUSH_MS = 1000

export class CredentialStore {
  private byProvider: Map<string, Credential[]> | undefined
  private readonly byId = new Map<number, Credential>()
  /** Last-used times not yet written (the hot path batches them). */
  private readonly usedAt = new Map<number, number>()
  private touchTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    /** Told after every change, e.g. so the pool can hand a new credential to a waiting request. */
    private readonly onChange: (c: Credential, change: CredentialChange) => void = () => undefined,
  ) {}

  /** The table is small: read it once, then keep every row in memory. */
  private load(): Map<string, Credential[]> {
    if (this.byProvider) return this.byProvider
    const byProvider = new Map<string, Credential[]>()
    for (const c of listCredentials(this.db, this.box)) this.index(byProvider, c)
    this.byProvider = byProvider
    return byProvider
  }

  private index(byProvider: Map<string, Credential[]>, c: Credential): void {
    const list = byProvider.get(c.provider)
    if (list) list.push(c)
    else byProvider.set(c.provider, [c])
    this.byId.set(c.id, c)
  }

  /** A provider's credentials in id order: the live objects, to read (write through this store). */
  list(provider: string): readonly Credential[] {
    return this.load().get(provider) ?? NONE
  }

  find(id: number): Credential | undefined {
    this.load()
    return this.byId.get(id)
  }

  /** Every credential (or one provider's) in id order, for listings. */
  all(provider?: string): Credential[] {
    if (provider !== undefined) return [...this.list(provider)]
    this.load()
    return [...this.byId.values()].sort((a, b) => a.id - b.id)
  }

  /** Is this secret stored for the provider already (under another id than `except`)? */
  isDuplicate(provider: string, secret: string, except?: number): boolean {
    const row = findDuplicate(this.db, provider, secret)
    return row !== undefined && row.id !== except
  }

  insert(c: NewCredential): Credential {
    const byProvider = this.load()
    const created = insertCredential(this.db, this.box, c)
    this.index(byProvider, created)
    this.onChange(created, 'inserted')
    return created
  }

  /** Write a patch to the row and to the object everyone reads. */
  update(c: Credential, patch: CredentialPatch): void {
    const updatedAt = updateCredential(this.db, this.box, c.id, patch)
    if (updatedAt === undefined) return
    Object.assign(c, patch)
    c.updatedAt = updatedAt
    if (patch.secret !== undefined) c.secretTail = patch.secret.slice(-4)
    this.onChange(c, patch)
  }

  remove(id: number): Credential | undefined {
    const c = this.find(id)
    if (!c || !deleteCredential(this.db, id)) return undefined
    const list = this.byProvider?.get(c.provider)
    const at = list ? list.indexOf(c) : -1
    if (list && at >= 0) list.splice(at, 1)
    this.byId.delete(id)
    this.usedAt.delete(id)
    this.onChange(c, 'removed')
    return c
  }

  /** Remember when a credential was used; written in batches (the hot path). */
  touch(c: Credential): void {
    if (c.lastUsedAt === null) return
    this.usedAt.set(c.id, c.lastUsedAt)
    this.touchTimer ??= setTimeout(() => this.flushTouches(), TOUCH_FLUSH_MS).unref()
  }

  /** Write batched last-used times (at shutdown, and before anything reads the table directly). */
  flushTouches(): void {
    clearTimeout(this.touchTimer)
    this.touchTimer = undefined
    if (!this.usedAt.size) return
    touchCredentials(this.db, this.usedAt)
    this.usedAt.clear()
  }
}
