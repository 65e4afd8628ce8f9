// CredentialStore.reload(): what another instance wrote to the shared table (two stores on one
// database stand for two instances), taken without replacing the objects leases hold, and without
// losing a credential this instance inserted or removed while the reload read the table. The races
// are made certain by holding the real repository's read or insert at a gate after it ran.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CredentialStore } from '../../src/core/credential-store.js'
import { type Db, openDatabase } from '../../src/db/client.js'
import { SecretBox } from '../../src/db/secret-box.js'

/** While set, the repository's list or insert waits here after reading or writing the table. */
const gates = vi.hoisted(() => ({ list: undefined as Promise<void> | undefined, insert: undefined as Promise<void> | undefined, listed: 0 }))
vi.mock('../../src/db/credentials.repo.js', async (original) => {
  const real = await original<typeof import('../../src/db/credentials.repo.js')>()
  return {
    ...real,
    listCredentials: async (...args: Parameters<typeof real.listCredentials>) => {
      const rows = await real.listCredentials(...args)
      gates.listed++
      await gates.list
      return rows
    },
    insertCredential: async (...args: Parameters<typeof real.insertCredential>) => {
      const row = await real.insertCredential(...args)
      await gates.insert
      return row
    },
  }
})

/** A gate and the function that opens it. */
function gate(): [Promise<void>, () => void] {
  let open!: () => void
  const closed = new Promise<void>((resolve) => {
    open = resolve
  })
  return [closed, open]
}

let dir: string
let db: Db
let here: CredentialStore
let there: CredentialStore

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-reload-'))
  db = openDatabase(join(dir, 'c.db'))
  const box = new SecretBox('k'.repeat(32))
  here = new CredentialStore(db, box)
  there = new CredentialStore(db, box)
  await Promise.all([here.load(), there.load()])
})
afterEach(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

const secrets = (store: CredentialStore, provider = 'p') => store.list(provider).map((c) => c.secret)

describe('reloading credentials another instance changed', () => {
  it('takes added, re-keyed and removed credentials, keeping the objects it had', async () => {
    const one = await there.insert({ provider: 'p', secret: 'sk-one' })
    await there.insert({ provider: 'q', secret: 'sk-other-provider' })
    expect(await here.reload('p')).toMatchObject({ added: [{ secret: 'sk-one' }], removed: [], rekeyed: [] })
    expect(secrets(here)).toEqual(['sk-one'])
    expect(here.list('q')).toHaveLength(0) // only the provider named
    const held = here.find(one.id)!

    await there.update(there.find(one.id)!, { secret: 'sk-one-new', remark: 'renamed' })
    const two = await there.insert({ provider: 'p', secret: 'sk-two' })
    const found = await here.reload('p')
    expect(found.rekeyed).toEqual([held])
    expect(found.added.map((c) => c.id)).toEqual([two.id])
    expect(here.find(one.id)).toBe(held)
    expect(held).toMatchObject({ secret: 'sk-one-new', secretTail: '-new', remark: 'renamed' })
    expect(secrets(here)).toEqual(['sk-one-new', 'sk-two'])

    await there.remove(one.id)
    expect((await here.reload()).removed).toEqual([held])
    expect(here.find(one.id)).toBeUndefined()
    expect(secrets(here)).toEqual(['sk-two'])
    expect(secrets(here, 'q')).toEqual(['sk-other-provider'])
  })

  it('keeps one object for a credential it inserted while a reload read the table', async () => {
    const [held, open] = gate()
    gates.insert = held
    const inserting = here.insert({ provider: 'p', secret: 'sk-mine' })
    // The row is written; the reload reads and indexes it before the insert goes on.
    await vi.waitFor(async () => expect(await there.reload('p')).toMatchObject({ added: [{ secret: 'sk-mine' }] }))
    await here.reload('p')
    gates.insert = undefined
    open()
    const inserted = await inserting
    expect(here.list('p')).toEqual([inserted])
    expect(here.find(inserted.id)).toBe(inserted)
  })

  it('does not bring back a credential it removed while a reload read the table', async () => {
    const mine = await here.insert({ provider: 'p', secret: 'sk-mine' })
    const [held, open] = gate()
    gates.list = held
    const listed = gates.listed
    const reloading = here.reload('p') // reads the row, then waits at the gate
    await vi.waitFor(() => expect(gates.listed).toBe(listed + 1))
    gates.list = undefined
    await here.remove(mine.id)
    open()
    await reloading
    expect(here.find(mine.id)).toBeUndefined()
    expect(here.list('p')).toHaveLength(0)
  })
})
