// Remove citation markers ([citation:3], [[2]], private-use cite runs...) from streamed text.
// A marker can be split across deltas, so text that could still become a marker is held back
// until the next push decides it.

export interface MarkerSyntax {
  /** Matches one whole marker; must be global. */
  pattern: RegExp
  /** Matches a text end that may be the start of a marker (anchored with $). */
  partial: RegExp
}

export const CITATION_MARKERS = {
  /** DeepSeek: [citation:3] */
  citation: { pattern: /\[citation:\d+\]/g, partial: /\[(c(i(t(a(t(i(o(n(:\d*)?)?)?)?)?)?)?)?)?$/ },
  /** DeepSeek's older response/content path style: [reference:3] */
  reference: { pattern: /\[reference:\d+\]/g, partial: /\[(r(e(f(e(r(e(n(c(e(:\d*)?)?)?)?)?)?)?)?)?)?$/ },
  /** Metaso and others: [[2]] or [2] with double brackets */
  doubleBracket: { pattern: /\[\[\d+\]\]/g, partial: /\[(\[\d*(\])?)?$/ },
  /** Kimi: \ue3a0cite\ue3a3<ref>[\ue3a3<ref>...]\ue3a8 */
  privateUse: { pattern: /\ue3a0[^\ue3a8]*\ue3a8/g, partial: /\ue3a0[^\ue3a8]*$/ },
} satisfies Record<string, MarkerSyntax>

export class CitationStripper {
  private held = ''

  constructor(
    private readonly syntaxes: readonly MarkerSyntax[],
    private readonly keep = false,
  ) {}

  /** Feed a delta; returns the text that is safe to emit now. */
  push(text: string): string {
    if (this.keep) return text
    let s = this.held + text
    for (const syn of this.syntaxes) s = s.replace(syn.pattern, '')
    let cut = s.length
    for (const syn of this.syntaxes) {
      const m = syn.partial.exec(s)
      if (m && m.index < cut) cut = m.index
    }
    this.held = s.slice(cut)
    return s.slice(0, cut)
  }

  /** End of stream: whatever was held back was not a marker after all. */
  flush(): string {
    const rest = this.held
    this.held = ''
    return rest
  }
}
