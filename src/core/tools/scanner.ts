// Finds tool-call blocks in answer text while it streams. Text is released as soon as it cannot be
// the start of a block; a block is held until it closes, then becomes a call or, when it does not
// parse as one, goes out as the text it was. Whitespace between calls, or between a call and
// the start or end of the text, belongs to the calls.
import { CLOSE_TAG, type EmulatedCall, OPEN_TAG, parseCallBody } from './convention.js'

export type ScanPiece = { type: 'text'; text: string } | { type: 'call'; call: EmulatedCall }

// The look-backs below are hand-written (regular expressions anchored at the end of the text
// backtrack over long whitespace runs in quadratic time) and bounded: a model that emits pages of
// whitespace gets all but the last MAX_SPACE characters of a run released, or dropped after a call.
const FENCE_CLOSE = /^\s*```/
const MAYBE_FENCE_CLOSE = /^\s*`{0,2}$/
const MAX_LANGUAGE = 20
const MAX_SPACE = 256
/** Text kept between chunks while inside a block, so a tag cut in two is still found. */
const OVERLAP = Math.max(OPEN_TAG.length, CLOSE_TAG.length) - 1

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c)
const isLanguage = (c: string | undefined) => c !== undefined && /[\w-]/.test(c)
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

function spaceBefore(text: string, end: number): number {
  const limit = Math.max(0, end - MAX_SPACE)
  let i = end
  while (i > limit && isSpace(text[i - 1])) i--
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
  /** Text and fence-close modes: text not yet released (a possible opening, a possible fence). */
  private held = ''
  /** Block mode: the lead-in and opening tag, released unchanged if the block is no call. */
  private opening = ''
  private fenced = false
  /** Block mode: the body so far in pieces (joined once, when the block closes), and its end. */
  private body: string[] = []
  private bodyTail = ''
  /** A call was the last thing seen: whitespace now waits for what follows. */
  private afterCall = false
  private calls = 0
  private readonly maxCalls: number

  constructor(private readonly options: ScannerOptions) {
    this.maxCalls = options.maxCalls ?? Number.POSITIVE_INFINITY
  }

  push(text: string): ScanPiece[] {
    const out: ScanPiece[] = []
    let rest: string | undefined = text
    while (rest !== undefined) {
      if (this.mode === 'block') rest = this.scanBlock(rest, out)
      else {
        this.held += rest
        rest = this.mode === 'text' ? this.scanText(out) : this.scanFenceClose()
      }
    }
    return out
  }

  /** The text ended: whatever is held goes out as text (an unterminated block unchanged). */
  end(): ScanPiece[] {
    const out: ScanPiece[] = []
    if (this.mode === 'block') emitText(out, this.opening + this.body.join(''))
    else emitText(out, this.afterCall ? this.held.trim() : this.held)
    this.mode = 'text'
    this.held = ''
    this.opening = ''
    this.body = []
    this.afterCall = false
    return out
  }

  /** Releases what cannot start a block; returns the text after an opening tag, if one came. */
  private scanText(out: ScanPiece[]): string | undefined {
    if (this.afterCall) {
      // Dropped if a block or the end follows; released with the text otherwise.
      if (!this.held.trim()) {
        this.held = this.held.slice(-MAX_SPACE)
        return undefined
      }
      this.afterCall = false
    }
    const open = this.held.indexOf(OPEN_TAG)
    if (open < 0) {
      const hold = this.holdFrom()
      emitText(out, this.held.slice(0, hold))
      this.held = this.held.slice(hold)
      return undefined
    }
    const { start, fenced } = leadIn(this.held, open)
    emitText(out, this.held.slice(0, start))
    this.fenced = fenced
    this.opening = this.held.slice(start, open + OPEN_TAG.length)
    const rest = this.held.slice(open + OPEN_TAG.length)
    this.held = ''
    this.body = []
    this.bodyTail = ''
    this.mode = 'block'
    return rest
  }

  /** Where the text that must wait begins: a possible opening, or half a surrogate pair. */
  private holdFrom(): number {
    const hold = possibleOpening(this.held)
    return hold > 0 && isHighSurrogate(this.held.charCodeAt(hold - 1)) ? hold - 1 : hold
  }

  /**
   * Only the new text and the end of the body are searched for tags: a long block (a file's
   * contents as an argument) arrives in thousands of small pieces.
   */
  private scanBlock(text: string, out: ScanPiece[]): string | undefined {
    const window = this.bodyTail + text
    const close = window.indexOf(CLOSE_TAG)
    const reopen = window.indexOf(OPEN_TAG)
    if (close < 0 && reopen < 0) {
      this.body.push(text)
      this.bodyTail = window.slice(-OVERLAP)
      return undefined
    }
    const all = this.body.join('') + text
    this.mode = 'text'
    if (reopen >= 0 && (close < 0 || reopen < close)) {
      // A new block opens before this one closed: this one was never a call.
      emitText(out, this.opening)
      return all
    }
    const at = all.length - window.length + close
    const body = all.slice(0, at)
    const call = parseCallBody(body, this.options.known)
    if (!call) emitText(out, this.opening + body + CLOSE_TAG)
    else {
      if (++this.calls <= this.maxCalls) out.push({ type: 'call', call })
      this.afterCall = true
      if (this.fenced) this.mode = 'fence-close'
    }
    return all.slice(at + CLOSE_TAG.length)
  }

  /** After a fenced call: swallow the closing fence if it follows. */
  private scanFenceClose(): string | undefined {
    const fence = FENCE_CLOSE.exec(this.held)
    if (fence) this.held = this.held.slice(fence[0].length)
    else if (MAYBE_FENCE_CLOSE.test(this.held)) return undefined
    this.mode = 'text'
    const rest = this.held
    this.held = ''
    return rest
  }
}

function emitText(out: ScanPiece[], text: string): void {
  if (!text) return
  const last = out.at(-1)
  if (last?.type === 'text') last.text += text
  else out.push({ type: 'text', text })
}
