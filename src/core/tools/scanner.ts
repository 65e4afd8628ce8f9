// Finds tool-call blocks in answer text while it streams. Text is released as soon as it cannot be
// the start of a block; a block is held until it closes, then becomes a call or, when it does not
// parse as one, goes out as the text it was. Whitespace between calls, or between a call and
// the start or end of the text, belongs to the calls.
import { CLOSE_TAG, type EmulatedCall, OPEN_TAG, parseCallBody } from './convention.js'

export type ScanPiece = { type: 'text'; text: string } | { type: 'call'; call: EmulatedCall }

/** Whitespace, an optional Markdown fence opening and whitespace, right before an opening tag. */
const LEAD_IN = /\s*(```[\w-]{0,20}\s*)?$/
/** Proper prefixes of the opening tag, longest first (its characters need no escaping). */
const TAG_PREFIXES = Array.from({ length: OPEN_TAG.length - 1 }, (_, i) => OPEN_TAG.slice(0, OPEN_TAG.length - 1 - i))
/** The tail of the text that may still grow into a lead-in plus an opening tag. */
const MAYBE_OPENING = new RegExp(`\\s*(?:\`\`\`[\\w-]{0,20}\\s*|\`{1,2})?(?:${TAG_PREFIXES.join('|')})?$`)
const FENCE_CLOSE = /^\s*```/
const MAYBE_FENCE_CLOSE = /^\s*`{0,2}$/
const TRAILING_SPACE = /\s+$/

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

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
    const start = LEAD_IN.exec(this.buf.slice(0, open))!
    emitText(out, this.buf.slice(0, start.index))
    this.fenced = start[1] !== undefined
    this.opening = this.buf.slice(start.index, open + OPEN_TAG.length)
    this.buf = this.buf.slice(open + OPEN_TAG.length)
    this.searched = 0
    this.mode = 'block'
    return true
  }

  /** Where the text that must wait begins: a possible opening, or half a surrogate pair. */
  private holdFrom(): number {
    const buf = this.buf
    let hold: number
    if (buf.includes('<') || buf.includes('`')) hold = MAYBE_OPENING.exec(buf)!.index
    else hold = buf.length - (TRAILING_SPACE.exec(buf)?.[0].length ?? 0)
    return hold > 0 && isHighSurrogate(buf.charCodeAt(hold - 1)) ? hold - 1 : hold
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
