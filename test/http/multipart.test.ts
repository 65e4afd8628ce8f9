// multipart/form-data in the shared preparation: only doors that take uploads read forms, within
// server.upload_limit and a bound on parts; chat routes still want JSON.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type TestApp, startTestApp } from '../helpers/app.js'

let app: TestApp
beforeAll(async () => {
  app = await startTestApp({ config: { server: { upload_limit: '64kb' } } })
})
afterAll(() => app.close())

const form = (parts: number, bytes = 10) => {
  const f = new FormData()
  f.append('model', 'img-1')
  f.append('prompt', 'x')
  for (let i = 0; i < parts; i++) f.append('image[]', new Blob([Buffer.alloc(bytes, 1)], { type: 'image/png' }), `p${i}.png`)
  return f
}
const post = (path: string, body: FormData) => fetch(`${app.baseURL}${path}`, { method: 'POST', body })

it('refuses a form over server.upload_limit with 413', async () => {
  const res = await post('/images/edits', form(1, 100_000))
  expect(res.status).toBe(413)
  expect(((await res.json()) as any).error.code).toBe('request_too_large')
})

it('refuses a form with too many parts, and a form on a route that takes JSON', async () => {
  const many = await post('/images/edits', form(70, 1))
  expect(many.status).toBe(400)
  expect(((await many.json()) as any).error.message).toMatch(/at most 64 parts/)
  const chat = await post('/chat/completions', form(1))
  expect(chat.status).toBe(400)
  expect(((await chat.json()) as any).error.message).toMatch(/not valid JSON/)
})

it('reads a form the door accepts (here: an unknown model is the next complaint)', async () => {
  const res = await post('/images/edits', form(2))
  expect(res.status).toBe(404)
  expect(((await res.json()) as any).error.code).toBe('model_not_found')
})
