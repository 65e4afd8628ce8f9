// Finds tool-call blocks in answer text while it streams. Text is released as soon as it cannot be
// the start of a block; a block is held until it closes, then becomes a call or, when it does not
// parse as one, goes out as the text it was. Whitespace between calls, or between a call and
// the start or end of the text, belongs to the calls.
import { CLOSE_TAG, type EmulatedCall, OPEN_TAG, parseCallBody } from './convention.js'

export type ScanPiece = { type: 'text'; text: string } | { type: 'call'; call: EmulatedCall }

// The look-backs below are hand-written: regular expressions anchored at the end of the text
// backtrack over long whitespace runs in quadratic time, and a model can emit those.
const FENCE_CLOSE = /^\s*```/
const MAYBE_FENCE_CLOSE = /^\s*`{0,2}$/
const MAX_LANGUAGE = 20

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c)
const isLanguage = (c: string | undefined) => c !== undefined && /[\w-]/.test(c)
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

function spaceBefore(text: string, end: number): number {
  let i = end
  while (i > 0 && isSpace(text[i - 1])) i--
  return i
}

/** Start of a fence opening (```, a language, whitespace) that ends at `end`, or -1. */
function fenceBefore(text: string, end: number): number {
  let i = spaceBefore(text, end)
  const limit = Math.max(0, i - MAX_LANGUAGE)
  while (i > limit && isLanguage(text[i - 1])) i--
  return i >= 3 && text.startsWith('```', i - 3) ? i - 3 : -1
}

/** Where the lead-in of an opening tag at `tagAt` starts: whitespace, a fence, whitespace. */
function leadIn(text: string, tagAt: number): { start: number; fenced: boolean } {
  const fence = fenceBefore(text, tagAt)
  return fence < 0 ? { start: spaceBefore(text, tagAt), fenced: false } : { start: spaceBefore(text, fence), fenced: true }
}

/** Where the tail that may still grow into a lead-in and an opening tag starts. */
function possibleOpening(text: string): number {
  let i = text.length
  for (let k = Math.min(OPEN_TAG.length - 1, i); k > 0; k--) {
    if (text.endsWith(OPEN_TAG.slice(0, k))) {
      i -= k
      break
    }
  }
  const fence = fenceBefore(text, i)
  if (fence >= 0) i = fence
  else if (text[i - 1] === '`') i -= text[i - 2] === '`' ? 2 : 1
  return spaceBefore(text, i)
}

export interface ScannerOptions {
  /** Names of the tools offered; a block naming anything else is text. */
  known: ReadonlySet<string>
  /** Calls beyond this many are dropped (parallel_tool_calls false allows one). */
  maxCalls?: number
}

export class ToolCallScanner {
  private mode: 'text' | 'block' | 'fence-close' = 'text'
  /** Text not yet released: a possible opening (text mode) or the block's body so far. */
  private buf = ''
  /** Block mode: the lead-in and opening tag, released unchanged if the block is no call. */
  private opening = ''
  private fenced = false
  /** Block mode: how far the body was already searched for tags. */
  private searched = 0
  /** A call was the last thing seen: whitespace now waits for what follows. */
  private afterCall = false
  private calls = 0
  private readonly maxCalls: number

  constructor(private readonly options: ScannerOptions) {
    this.maxCalls = options.maxCalls ?? Number.POSITIVE_INFINITY
  }

  push(text: string): ScanPiece[] {
    const out: ScanPiece[] = []
    this.buf += text
    for (;;) {
      const progressed =
        this.mode === 'text' ? this.scanText(out) : this.mode === 'block' ? this.scanBlock(out) : this.scanFenceClose()
      if (!progressed) return out
    }
  }

  /** The text ended: whatever is held goes out as text (an unterminated block unchanged). */
  end(): ScanPiece[] {
    const out: ScanPiece[] = []
    if (this.mode === 'block') emitText(out, this.opening + this.buf)
    else emitText(out, this.afterCall ? this.buf.trim() : this.buf)
    this.mode = 'text'
    this.buf = ''
    this.opening = ''
    this.afterCall = false
    return out
  }

  /** Returns true when the mode changed and the rest of the buffer needs another look. */
  private scanText(out: ScanPiece[]): boolean {
    if (this.afterCall) {
      // Dropped if a block or the end follows; released with the text otherwise.
      if (!this.buf.trim()) return false
      this.afterCall = false
    }
    const open = this.buf.indexOf(OPEN_TAG)
    if (open < 0) {
      const hold = this.holdFrom()
      emitText(out, this.buf.slice(0, hold))
      this.buf = this.buf.slice(hold)
      return false
    }
    const { start, fenced } = leadIn(this.buf, open)
    emitText(out, this.buf.slice(0, start))
    this.fenced = fenced
    this.opening = this.buf.slice(start, open + OPEN_TAG.length)
    this.buf = this.buf.slice(open + OPEN_TAG.length)
    this.searched = 0
    this.mode = 'block'
    return true
  }

  /** Where the text that must wait begins: a possible opening, or half a surrogate pair. */
  private holdFrom(): number {
    const hold = possibleOpening(this.buf)
    return hold > 0 && isHighSurrogate(this.buf.charCodeAt(hold - 1)) ? hold - 1 : hold
  }

  private scanBlock(out: ScanPiece[]): boolean {
    const from = Math.max(0, this.searched - CLOSE_TAG.length)
    const close = this.buf.indexOf(CLOSE_TAG, from)
    const reopen = this.buf.indexOf(OPEN_TAG, from)
    if (reopen >= 0 && (close < 0 || reopen < close)) {
      // A new block opens before this one closed: this one was never a call.
      emitText(out, this.opening)
      this.mode = 'text'
      return true
    }
    if (close < 0) {
      this.searched = this.buf.length
      return false
    }
    const body = this.buf.slice(0, close)
    this.buf = this.buf.slice(close + CLOSE_TAG.length)
    const call = parseCallBody(body, this.options.known)
    if (!call) {
      emitText(out, this.opening + body + CLOSE_TAG)
      this.mode = 'text'
      return true
    }
    if (++this.calls <= this.maxCalls) out.push({ type: 'call', call })
    this.afterCall = true
    this.mode = this.fenced ? 'fence-close' : 'text'
    return true
  }

  /** After a fenced call: swallow the closing fence if it follows. */
  private scanFenceClose(): boolean {
    const fence = FENCE_CLOSE.exec(this.buf)
    if (fence) this.buf = this.buf.slice(fence[0].length)
    else if (MAYBE_FENCE_CLOSE.test(this.buf)) return false
    this.mode = 'text'
    return true
  }
}

function emitText(out: ScanPiece[], text: string): void {
  if (!text) return
  const last = out.at(-1)
  if (last?.type === 'text') last.text += text
  else out.push({ type: 'text', text })
}
