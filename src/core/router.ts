// Public model name → ordered candidates (provider instance, upstream model, suffix flags).
import type { Config } from '../config/schema.js'
import type { ModelSpec } from '../kit/types.js'
import type { ProviderInstance } from './provider-registry.js'

export type ReasoningMode = 'field' | 'fold' | 'hide'
export type ModelKind = NonNullable<ModelSpec['kind']>

export interface Candidate {
  instance: ProviderInstance
  spec: ModelSpec
  flags: ReadonlySet<string>
}

export interface RoutePlan {
  requested: string
  candidates: Candidate[]
  reasoning: ReasoningMode
}

/** Suffixes every model understands; the core renders them. */
export const CORE_SUFFIXES: Readonly<Record<string, string>> = {
  fold: 'reasoning as <think>…</think> in content',
  silent: 'no reasoning in the output',
}

const MAX_ALIAS_HOPS = 4

export class Router {
  private readonly byModel = new Map<string, { instance: ProviderInstance; spec: ModelSpec }[]>()

  constructor(
    private readonly instances: Map<string, ProviderInstance>,
    private readonly config: Pick<Config, 'routes' | 'aliases'>,
  ) {
    for (const instance of instances.values()) {
      for (const spec of instance.adapter.models) {
        const list = this.byModel.get(spec.id) ?? []
        list.push({ instance, spec })
        this.byModel.set(spec.id, list)
      }
    }
  }

  resolve(requested: string): RoutePlan | undefined {
    let name = requested
    for (let i = 0; i < MAX_ALIAS_HOPS && this.config.aliases[name]; i++) name = this.config.aliases[name]!
    const route = this.config.routes[name]
    if (route) {
      const targets = Array.isArray(route) ? route : route.providers
      const reasoning = Array.isArray(route) ? 'field' : route.reasoning
      const candidates = targets.flatMap((t) => this.target(t, name))
      return candidates.length ? { requested, candidates, reasoning } : undefined
    }
    return this.direct(requested, name)
  }

  /** `provider` (serves the route's own name) or `provider:model` (model may carry suffixes). */
  private target(target: string, routeName: string): Candidate[] {
    const [providerName, explicit] = target.split(/:(.*)/s) as [string, string | undefined]
    const instance = this.instances.get(providerName)
    if (!instance) return []
    const model = explicit || routeName
    const own = instance.adapter.models.map((spec) => ({ instance, spec }))
    const found = this.match(model, own)
    // A model the provider does not list is still sent: official APIs add models before we do.
    return found.length ? found : [{ instance, spec: { id: model }, flags: new Set() }]
  }

  private direct(requested: string, name: string): RoutePlan | undefined {
    const candidates = this.match(name)
    if (!candidates.length) return undefined
    return { requested, candidates, reasoning: candidates[0]!.flags.has('fold') ? 'fold' : 'field' }
  }

  /** Exact name first; else peel `-suffix` parts from the right while every one is allowed. */
  private match(name: string, only?: { instance: ProviderInstance; spec: ModelSpec }[]): Candidate[] {
    const lookup = (id: string) => {
      const listed = only ? only.filter((o) => o.spec.id === id) : (this.byModel.get(id) ?? [])
      return listed.length ? listed : this.dynamic(id, only)
    }
    const exact = lookup(name)
    if (exact.length) return exact.map((e) => ({ ...e, flags: new Set<string>() }))
    const parts = name.split('-')
    for (let cut = parts.length - 1; cut >= 1; cut--) {
      const base = parts.slice(0, cut).join('-')
      const flags = parts.slice(cut)
      const entries = lookup(base).filter(({ spec }) =>
        flags.every((f) => f in CORE_SUFFIXES || spec.suffixes?.includes(f)),
      )
      if (entries.length) return entries.map((e) => ({ ...e, flags: new Set(flags) }))
    }
    return []
  }

  /** Ask adapters that resolve names dynamically (agent ids and the like). */
  private dynamic(id: string, only?: { instance: ProviderInstance }[]): { instance: ProviderInstance; spec: ModelSpec }[] {
    const instances = only ? [...new Set(only.map((o) => o.instance))] : [...this.instances.values()]
    return instances.flatMap((instance) => {
      const spec = instance.adapter.resolveModel?.(id)
      return spec ? [{ instance, spec }] : []
    })
  }

  /** Every routable name: models, their single-suffix variants, routes and aliases. */
  /** Every model an adapter declares, with the instances that serve it; routes and aliases with their targets. */
  catalog(): { models: { id: string; providers: string[]; suffixes: string[]; kind: string }[]; routes: Record<string, unknown>; aliases: Record<string, string> } {
    const models = [...this.byModel].map(([id, entries]) => ({
      id,
      providers: entries.map((e) => e.instance.name),
      suffixes: [...new Set(entries.flatMap((e) => e.spec.suffixes ?? []))],
      kind: entries[0]?.spec.kind ?? 'chat',
    }))
    const routes: Record<string, unknown> = { ...this.config.routes }
    return { models, routes, aliases: { ...this.config.aliases } }
  }

  listModels(visible: (instance: ProviderInstance, spec: ModelSpec) => boolean = () => true) {
    const out = new Map<string, { ownedBy: string; kind: ModelKind }>()
    for (const [id, entries] of this.byModel) {
      const shown = entries.filter((e) => visible(e.instance, e.spec))
      if (!shown.length) continue
      const first = shown[0]!
      out.set(id, { ownedBy: first.spec.ownedBy ?? first.instance.name, kind: first.spec.kind ?? 'chat' })
      for (const e of shown) for (const s of e.spec.suffixes ?? []) out.set(`${id}-${s}`, { ownedBy: e.spec.ownedBy ?? e.instance.name, kind: e.spec.kind ?? 'chat' })
    }
    // A route or alias is listed when one of its targets is, with the kind of its first target.
    const listed = (name: string) => this.resolve(name)?.candidates.find((c) => visible(c.instance, c.spec))
    for (const name of [...Object.keys(this.config.routes), ...Object.keys(this.config.aliases)]) {
      const target = listed(name)
      if (target) out.set(name, { ownedBy: 'freeway', kind: target.spec.kind ?? 'chat' })
    }
    return [...out].map(([id, m]) => ({ id, ...m }))
  }
}
