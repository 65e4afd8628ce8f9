// The one place credentials are read and written. Every insert, update, delete and state save
// goes through here, so the objects the pool hands out are the rows themselves, kept in step with
// the database: there is no cache for a caller to invalidate. The table is read once at start
// (load); an update changes the object at once (the pool decides on it synchronously) and is
// written behind it, in order; awaiting update() or flushTouches() waits until it is stored.
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

/** What a reload found another instance had changed: credentials added, removed, or given a new secret. */
export interface Reloaded {
  added: Credential[]
  removed: Credential[]
  rekeyed: Credential[]
}

const NONE: readonly Credential[] = Object.freeze([])
const TOUCH_FLUSH_MS = 1000

export class CredentialStore {
  private byProvider: Map<string, Credential[]> | undefined
  private readonly byId = new Map<number, Credential>()
  /** Last-used times not yet written (the hot path batches them). */
  private readonly usedAt = new Map<number, number>()
  private touchTimer: NodeJS.Timeout | undefined
  /** Writes run one after another, so a credential's row ends as its object did. */
  private writing: Promise<void> = Promise.resolve()
  /** Ids removed from memory: a reload that read the table before the delete must not bring one back. */
  private readonly gone = new Set<number>()

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    /** Told after every change, e.g. so the pool can hand a new credential to a waiting request. */
    private readonly onChange: (c: Credential, change: CredentialChange) => void = () => undefined,
    private readonly onWriteError: (err: Error) => void = () => undefined,
  ) {}

  /** The table is small: read it once (at start), then keep every row in memory. */
  async load(): Promise<void> {
    const byProvider = new Map<string, Credential[]>()
    this.byId.clear()
    for (const c of await listCredentials(this.db, this.box)) this.index(byProvider, c)
    this.byProvider = byProvider
  }

  /**
   * Take what another instance added, removed or re-keyed (one provider's or all) from the shared
   * table. Objects stay the same ones (leases hold them); their status is shared apart (pool-sync).
   */
  async reload(provider?: string): Promise<Reloaded> {
    const byProvider = this.loaded()
    const before = provider === undefined ? [...this.byId.values()] : [...this.list(provider)]
    const rows = await listCredentials(this.db, this.box, provider)
    const found: Reloaded = { added: [], removed: [], rekeyed: [] }
    const stored = new Set<number>()
    for (const row of rows) {
      stored.add(row.id)
      const c = this.byId.get(row.id)
      if (!c) {
        if (this.gone.has(row.id)) continue
        this.index(byProvider, row)
        found.added.push(row)
        continue
      }
      if (c.remark !== row.remark) c.remark = row.remark
      if (c.secret === row.secret) continue
      Object.assign(c, { secret: row.secret, secretTail: row.secretTail, state: row.state, verified: row.verified })
      found.rekeyed.push(c)
    }
    // Only what was here before the read: a credential this instance inserted meanwhile stays.
    for (const c of before) if (!stored.has(c.id) && this.forget(c)) found.removed.push(c)
    for (const c of found.added) byProvider.get(c.provider)!.sort((x, y) => x.id - y.id)
    return found
  }

  /** Drop a credential from memory; false when it was gone already. */
  private forget(c: Credential): boolean {
    this.gone.add(c.id)
    if (this.byId.get(c.id) !== c) return false
    const list = this.byProvider?.get(c.provider)
    const at = list ? list.indexOf(c) : -1
    if (list && at >= 0) list.splice(at, 1)
    this.byId.delete(c.id)
    this.usedAt.delete(c.id)
    return true
  }

  private loaded(): Map<string, Credential[]> {
    if (!this.byProvider) throw new Error('CredentialStore.load() was not awaited at start')
    return this.byProvider
  }

  /** Queue a write behind the ones before it; the promise resolves once it ran, failed or not. */
  private enqueue(write: () => Promise<unknown>): Promise<void> {
    this.writing = this.writing.then(write).then(
      () => undefined,
      (err: unknown) => this.onWriteError(err as Error),
    )
    return this.writing
  }

  private index(byProvider: Map<string, Credential[]>, c: Credential): void {
    const list = byProvider.get(c.provider)
    if (list) list.push(c)
    else byProvider.set(c.provider, [c])
    this.byId.set(c.id, c)
  }

  /** A provider's credentials in id order: the live objects, to read (write through this store). */
  list(provider: string): readonly Credential[] {
    return this.loaded().get(provider) ?? NONE
  }

  find(id: number): Credential | undefined {
    this.loaded()
    return this.byId.get(id)
  }

  /** Every credential (or one provider's) in id order, for listings. */
  all(provider?: string): Credential[] {
    if (provider !== undefined) return [...this.list(provider)]
    this.loaded()
    return [...this.byId.values()].sort((a, b) => a.id - b.id)
  }

  /** Is this secret stored for the provider already (under another id than `except`)? */
  async isDuplicate(provider: string, secret: string, except?: number): Promise<boolean> {
    const row = await findDuplicate(this.db, provider, secret)
    return row !== undefined && row.id !== except
  }

  async insert(c: NewCredential): Promise<Credential> {
    const byProvider = this.loaded()
    const created = await insertCredential(this.db, this.box, c)
    // A reload that ran meanwhile may have read the new row already: keep the object it indexed.
    const indexed = this.byId.get(created.id)
    if (!indexed) this.index(byProvider, created)
    this.onChange(indexed ?? created, 'inserted')
    return indexed ?? created
  }

  /** Apply a patch to the object everyone reads now, and to its row behind it. */
  update(c: Credential, patch: CredentialPatch): Promise<void> {
    if (this.find(c.id) !== c) return Promise.resolve() // removed meanwhile
    Object.assign(c, patch)
    c.updatedAt = Date.now()
    if (patch.secret !== undefined) c.secretTail = patch.secret.slice(-4)
    // Queued before the change is told, so settled() then includes this write.
    const written = this.enqueue(() => updateCredential(this.db, this.box, c.id, patch))
    this.onChange(c, patch)
    return written
  }

  /** Resolves once every write queued so far ran (other instances may then read it). */
  settled(): Promise<void> {
    return this.writing
  }

  async remove(id: number): Promise<Credential | undefined> {
    const c = this.find(id)
    await this.writing
    if (!c || !(await deleteCredential(this.db, id))) return undefined
    this.forget(c)
    this.onChange(c, 'removed')
    return c
  }

  /** Remember when a credential was used; written in batches (the hot path). */
  touch(c: Credential): void {
    if (c.lastUsedAt === null) return
    this.usedAt.set(c.id, c.lastUsedAt)
    this.touchTimer ??= setTimeout(() => void this.flushTouches(), TOUCH_FLUSH_MS).unref()
  }

  /** Write batched last-used times and whatever updates wait (at shutdown, and before anything reads the table directly). */
  flushTouches(): Promise<void> {
    clearTimeout(this.touchTimer)
    this.touchTimer = undefined
    if (!this.usedAt.size) return this.writing
    const usedAt = new Map(this.usedAt)
    this.usedAt.clear()
    return this.enqueue(() => touchCredentials(this.db, usedAt))
  }
}
