// MediaRequest → DashScope native request bodies (pure). Vendor parameters in `extra` (the seeds'
// zidingyican pairs) go into `parameters` as they are and win over what Freeway derived.
import { invalidRequest } from '../../src/kit/errors.js'
import type { MediaRequest } from '../../src/kit/types.js'

/** OpenAI's `1024x1024` → DashScope's `1024*1024`; other spellings pass unchanged. */
export function dashSize(size: string | undefined): string | undefined {
  return size?.replace(/^(\d+)\s*[xX×]\s*(\d+)$/, '$1*$2')
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

function need<T>(value: T | undefined, what: string, provider: string, model: string): T {
  if (value === undefined || (Array.isArray(value) && !value.length) || value === '') throw invalidRequest(`${provider}: ${model} needs ${what}`, { provider })
  return value
}

function parameters(req: MediaRequest, own: Record<string, unknown>): Record<string, unknown> {
  return defined({ ...own, ...req.extra })
}

/** Async text-to-image (qwen-image, qwen-image-plus, wan2.5-t2i-preview). */
export function text2imageBody(req: MediaRequest, provider: string): Record<string, unknown> {
  const prompt = need(req.prompt, 'a prompt', provider, req.model)
  return {
    model: req.model,
    input: defined({ prompt, negative_prompt: req.negativePrompt }),
    parameters: parameters(req, { size: dashSize(req.size), n: req.n }),
  }
}

/** Async Wan image-to-image: the prompt edits or blends up to 3 input images. */
export function image2imageBody(req: MediaRequest, provider: string): Record<string, unknown> {
  const images = need(req.images, 'input images', provider, req.model)
  return {
    model: req.model,
    input: defined({ prompt: need(req.prompt, 'a prompt', provider, req.model), images: images.slice(0, 3), negative_prompt: req.negativePrompt }),
    parameters: parameters(req, { size: dashSize(req.size), n: req.n }),
  }
}

/** Sync multimodal generation for qwen-image-edit: images first, then exactly one text item. */
export function imageEditBody(req: MediaRequest, provider: string): Record<string, unknown> {
  const images = need(req.images, 'an input image', provider, req.model)
  const prompt = need(req.prompt, 'an instruction (prompt)', provider, req.model)
  return {
    model: req.model,
    input: { messages: [{ role: 'user', content: [...images.slice(0, 3).map((image) => ({ image })), { text: prompt }] }] },
    parameters: parameters(req, { n: req.n, size: dashSize(req.size), negative_prompt: req.negativePrompt }),
  }
}

/** Sync qwen3-asr-flash: the audio as a user item, instructions (context) as the system text. */
export function asrBody(req: MediaRequest, provider: string): Record<string, unknown> {
  const audio = need(req.audio, 'audio', provider, req.model)
  return {
    model: req.model,
    input: {
      messages: [
        { role: 'system', content: [{ text: req.instructions ?? req.prompt ?? '' }] },
        { role: 'user', content: [{ audio }] },
      ],
    },
    parameters: parameters(req, { asr_options: defined({ enable_itn: false, language: req.language }) }),
  }
}

/**
 * Async Wan video. One image is image-to-video (`img_url`, with a `resolution` such as 720P), two
 * or a last frame are first-and-last-frame; no image is text-to-video (`size` as `832*480`).
 */
export function videoBody(req: MediaRequest, provider: string): Record<string, unknown> {
  const prompt = need(req.prompt, 'a prompt', provider, req.model)
  const [first, second] = req.images ?? []
  const last = req.lastFrame ?? second
  const frames = first && last ? { first_frame_url: first, last_frame_url: last } : { img_url: first }
  const resolution = req.size && /^\d{3,4}p$/i.test(req.size) ? req.size.toUpperCase() : undefined
  return {
    model: req.model,
    input: defined({ prompt, negative_prompt: req.negativePrompt, ...frames }),
    parameters: parameters(req, {
      ...(resolution ? { resolution } : { size: dashSize(req.size) }),
      duration: req.seconds === undefined ? undefined : Math.round(req.seconds),
    }),
  }
}
