// MCP servers managed at runtime (/mcp/*) and used live: a real MCP server written with the SDK,
// over stdio (a child process) and over streamable HTTP (with a bearer token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MCP_TOKEN, type McpHttpFake, STDIO_SERVER, startMcpHttp, weatherOf } from '../fakes/mcp-server.js'
import { type TestApp, startTestApp } from '../helpers/app.js'
import { call } from '../helpers/compat.js'

const SECRET = 'admin-secret-for-mcp'

let app: TestApp
let remote: McpHttpFake

beforeAll(async () => {
  remote = await startMcpHttp()
  app = await startTestApp({ config: { admin: { secret: SECRET }, agents: { tool_timeout_ms: 1000 } } })
})
afterAll(async () => {
  await app.close()
  await remote.close()
})

const admin = (method: string, path: string, body?: unknown) => call(app, method, path, body, { authorization: SECRET })
const toolNames = (data: any, name: string) => data.McpServers?.[name]?.tools?.map((t: any) => t.name) ?? data[name].tools.map((t: any) => t.name)

describe('/mcp routes', { timeout: 30_000 }, () => {
  it('refuses callers without the admin secret', async () => {
    const res = await call(app, 'GET', '/mcp/get')
    expect(res.status).toBe(401)
    expect(res.json).toMatchObject({ code: 401 })
  })

  it('adds a stdio server, lists its tools and calls them', async () => {
    const res = await admin('POST', '/mcp/update?name=weather', { ...STDIO_SERVER, env: { WEATHER_KEY: 'secret-weather-key' }, description: 'weather' })
    expect(res.json).toMatchObject({ code: 0, msg: 'success' })
    expect(res.json.data.weather, JSON.stringify(res.json.data)).toMatchObject({ type: 'stdio', status: 'connected', env: { WEATHER_KEY: '****-key' } })
    expect(toolNames(res.json.data, 'weather')).toEqual(['weather__get_weather', 'weather__fail', 'weather__slow', 'weather__crash'])

    const got = await admin('GET', '/mcp/get')
    expect(got.json.data.McpServers.weather.description).toBe('weather')
    expect(await app.services.mcp.call('weather__get_weather', { city: '北京' })).toEqual({ text: weatherOf('北京'), isError: false })
  })

  it('returns tool errors, timeouts and crashes as results, and restarts a crashed server on next use', async () => {
    const mcp = app.services.mcp
    expect(await mcp.call('weather__fail', {})).toEqual({ text: 'the weather station is offline', isError: true })
    expect(await mcp.call('weather__slow', {})).toEqual({ text: 'error: the tool weather__slow timed out after 1000 ms', isError: true })
    expect(await mcp.call('nope', {})).toMatchObject({ isError: true, text: expect.stringContaining('no tool named nope') })
    const crashed = await mcp.call('weather__crash', {})
    expect(crashed.isError).toBe(true)
    expect(await mcp.call('weather__get_weather', { city: 'Paris' })).toEqual({ text: weatherOf('Paris'), isError: false })
  })

  it('adds a streamable HTTP server with its headers; a wrong token leaves it in error', async () => {
    const bad = await admin('POST', '/mcp/update?name=remote', { url: remote.url, headers: { Authorization: 'Bearer wrong' } })
    expect(bad.json.data.remote).toMatchObject({ type: 'http', status: 'error', tools: [] })
    expect(remote.refused).toBeGreaterThan(0)
    const good = await admin('POST', '/mcp/update?name=remote', { url: remote.url, headers: { Authorization: `Bearer ${MCP_TOKEN}` } })
    expect(good.json.data.remote).toMatchObject({ status: 'connected', headers: { Authorization: '****oken' } })
    expect(await app.services.mcp.call('remote__get_weather', { city: '上海' })).toEqual({ text: weatherOf('上海'), isError: false })
  })

  it('validates configs and names', async () => {
    expect((await admin('POST', '/mcp/update?name=x', { args: [] })).json).toMatchObject({ code: 400, msg: expect.stringContaining('command') })
    expect((await admin('POST', '/mcp/update?name=x', { url: 'http://a', bogus: 1 })).json.msg).toContain('bogus')
    expect((await admin('POST', '/mcp/update', { url: 'http://a' })).status).toBe(400)
    expect((await admin('POST', '/mcp/disable?name=ghost&disable=1')).status).toBe(404)
  })

  it('disables, enables, syncs and deletes at runtime', async () => {
    const names = () => app.services.mcp.tools().map((t) => t.name)
    await admin('POST', '/mcp/disable?name=weather&disable=1')
    expect(names().some((n) => n.startsWith('weather__'))).toBe(false)
    expect((await admin('GET', '/mcp/get')).json.data.McpServers.weather.status).toBe('disabled')
    await admin('POST', '/mcp/disable?name=weather&disable=0')
    expect(names()).toContain('weather__get_weather')

    const synced = await admin('POST', '/mcp/sync')
    expect(synced.json.data.McpServers).toMatchObject({ weather: { status: 'connected' }, remote: { status: 'connected' } })

    expect((await admin('DELETE', '/mcp/delete?name=remote')).json).toMatchObject({ code: 0 })
    expect(names().some((n) => n.startsWith('remote__'))).toBe(false)
    expect((await admin('DELETE', '/mcp/delete?name=remote')).status).toBe(404)
  })
})
