// The logger's two formats: text lines, and one JSON object a line with secrets still masked.
import { describe, expect, it } from 'vitest'
import { buildConfig } from '../../src/config/load.js'
import { createLogger } from '../../src/kit/log.js'

describe('LOG_FORMAT=json', () => {
  it('writes {time, level, scope, msg, ...fields} a line, masked, children included', () => {
    const lines: string[] = []
    const log = createLogger('info', 'freeway', (l) => lines.push(l), 'json').child('relay')
    log.debug('hidden')
    log.warn('upstream said Bearer sk-abcdefghijklmnop1234', { requestId: 'r-1', token: 'secret-value-9876', msg: 'not mine' })
    expect(lines).toHaveLength(1)
    const entry = JSON.parse(lines[0]!)
    expect(entry).toMatchObject({ level: 'warn', scope: 'freeway:relay', requestId: 'r-1' })
    expect(new Date(entry.time).getTime()).toBeGreaterThan(0)
    expect(entry.msg).toBe('upstream said Bearer ****1234')
    expect(entry.token).toBe('****9876')
    expect(lines[0]).not.toContain('secret-value')
  })

  it('keeps text lines by default and reads LOG_FORMAT', () => {
    const lines: string[] = []
    createLogger('info', 'freeway', (l) => lines.push(l)).info('hello', { requestId: 'r-2' })
    expect(lines[0]).toMatch(/ INFO \[freeway\] hello \{"requestId":"r-2"\}$/)
    expect(buildConfig({}, { LOG_FORMAT: 'json' }).log_format).toBe('json')
    expect(buildConfig({}, {}).log_format).toBe('text')
  })
})
