// The media tests' upstream instance and prices (an openai-compatible instance in front of test/fakes/openai-media.ts).

export const mediaProvider = (url: string) => ({
  type: 'openai-compatible',
  base_url: `${url}/v1`,
  api_key: 'sk-media',
  models: [
    { id: 'img-1', kind: 'image' },
    { id: 'img-fail', kind: 'image' },
    { id: 'whisper-x', kind: 'transcription' },
    { id: 'vid-1', kind: 'video' },
    { id: 'vid-fail', kind: 'video' },
    'chatty',
  ],
})

export const mediaPrices = {
  'img-1': { per_image: 2 },
  'img-fail': { per_image: 2 },
  // 1 unit per token: the fake reports 20 input and 5 output tokens.
  'whisper-x': { prompt: 1000, completion: 1000 },
  'vid-1': { per_second: 1.5 },
  'vid-fail': { per_second: 1 },
}
