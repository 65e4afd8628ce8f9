// Stored responses: the history a previous_response_id chain gives, who may see a response,
// item_reference lookups, and pruning with records.chat_max_days.
import { afterEach, describe, expect, it } from 'vitest'
import { pruneOld } from '../../src/core/maintenance.js'
import { type NewStoredResponse, type ResponseOwner, ResponsesStore, responseIdOfItem } from '../../src/core/responses-store.js'
import { sqliteOf, openDatabase } from '../../src/db/client.js'
import type { ChatMessage } from '../../src/kit/types.js'
import { type TestApp, startTestApp } from '../helpers/app.js'

const alice: ResponseOwner = { keyId: 1, userId: 'alice' }
const aliceOtherKey: ResponseOwner = { keyId: 2, userId: 'alice' }
const keyOnly: ResponseOwner = { keyId: 3, userId: null }
const otherKey: ResponseOwner = { keyId: 4, userId: null }
const anonymous: ResponseOwner = { keyId: null, userId: null }

const user = (content: string): ChatMessage => ({ role: 'user', content })
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content })

function turn(n: number, owner: ResponseOwner, previousId: string | null): NewStoredResponse {
  const token = `tok${String(n).padStart(13, '0')}`
  return {
    id: `resp_${token}`,
    owner,
    previousId,
    inputItems: [{ type: 'message', id: `msg_${token}_in0`, role: 'user', content: [{ type: 'input_text', text: `q${n}` }] }],
    messages: [user(`q${n}`)],
    output: [assistant(`a${n}`)],
    response: { id: `resp_${token}`, output: [{ type: 'message', id: `msg_${token}_0`, content: [{ type: 'output_text', text: `a${n}` }] }] },
  }
}

let app: TestApp | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

describe('ResponsesStore', () => {
  it('gives the whole chain as history, oldest turn first, to its owner only', async () => {
    const store = new ResponsesStore(openDatabase(':memory:'))
    await store.save(turn(1, alice, null))
    await store.save(turn(2, alice, turn(1, alice, null).id))
    await store.save(turn(3, alice, turn(2, alice, null).id))
    const id = turn(3, alice, null).id
    const expected = [user('q1'), assistant('a1'), user('q2'), assistant('a2'), user('q3'), assistant('a3')]
    expect(await store.history(id, alice)).toEqual(expected)
    expect(await store.history(id, aliceOtherKey)).toEqual(expected) // the user's other key
    expect(await store.history(id, keyOnly)).toBeUndefined()
    expect(await store.history('resp_missing', alice)).toBeUndefined()
  })

  it('keeps a user-less key\'s responses to that key, and anonymous ones to anonymous callers', async () => {
    const store = new ResponsesStore(openDatabase(':memory:'))
    await store.save(turn(1, keyOnly, null))
    await store.save(turn(2, anonymous, null))
    expect(await store.get(turn(1, keyOnly, null).id, keyOnly)).toBeDefined()
    expect(await store.get(turn(1, keyOnly, null).id, otherKey)).toBeUndefined()
    expect(await store.get(turn(1, keyOnly, null).id, anonymous)).toBeUndefined()
    expect(await store.get(turn(2, anonymous, null).id, anonymous)).toBeDefined()
    expect(await store.get(turn(2, anonymous, null).id, keyOnly)).toBeUndefined()
    expect(await store.delete(turn(1, keyOnly, null).id, otherKey)).toBe(false)
    expect(await store.delete(turn(1, keyOnly, null).id, keyOnly)).toBe(true)
    expect(await store.get(turn(1, keyOnly, null).id, keyOnly)).toBeUndefined()
  })

  it('finds output and input items by id for item_reference', async () => {
    const store = new ResponsesStore(openDatabase(':memory:'))
    await store.save(turn(7, alice, null))
    expect(responseIdOfItem('msg_tok0000000000007_0')).toBe('resp_tok0000000000007')
    expect(await store.item('msg_tok0000000000007_0', alice)).toMatchObject({ content: [{ text: 'a7' }] })
    expect(await store.item('msg_tok0000000000007_in0', alice)).toMatchObject({ role: 'user' })
    expect(await store.item('msg_tok0000000000007_5', alice)).toBeUndefined()
    expect(await store.item('msg_tok0000000000007_0', keyOnly)).toBeUndefined()
    expect(await store.item('msg_ffc4c9b5-0c2a-521e-91ad-ffa976430609', alice)).toBeUndefined()
  })
})

describe('pruning', () => {
  it('drops stored responses older than chat_max_days; a chain keeps its newer turns', async () => {
    app = await startTestApp({ config: { records: { chat_max_days: 1 } } })
    const store = new ResponsesStore(app.services.db)
    await store.save(turn(1, alice, null))
    await store.save(turn(2, alice, turn(1, alice, null).id))
    sqliteOf(app.services.db).prepare('update stored_responses set created_at = ? where id = ?').run(Date.now() - 3 * 86_400_000, turn(1, alice, null).id)
    expect(await pruneOld(app.services)).toMatchObject({ responses: 1 })
    expect(await store.get(turn(1, alice, null).id, alice)).toBeUndefined()
    expect(await store.history(turn(2, alice, null).id, alice)).toEqual([user('q2'), assistant('a2')])
  })
})
