// What the fake Gemini API refuses, as Google does: an INVALID_ARGUMENT message, or undefined.
type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => Boolean(v) && typeof v === 'object' && !Array.isArray(v)

const PART_KEYS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult']
const PART_EXTRAS = new Set(['thought', 'thoughtSignature'])
const GENERATION_KEYS = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'candidateCount',
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'thinkingConfig',
])
const BODY_KEYS = new Set(['contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig'])

function part(p: unknown, where: string): string | undefined {
  if (!isObj(p)) return `${where} is not an object`
  const data = Object.keys(p).filter((k) => !PART_EXTRAS.has(k))
  if (data.length !== 1 || !PART_KEYS.includes(data[0]!)) return `${where} must hold exactly one of ${PART_KEYS.join(', ')} (got ${data.join(', ')})`
  if ('text' in p && typeof p.text !== 'string') return `${where}.text must be a string`
  const inline = p.inlineData
  if (inline !== undefined && (!isObj(inline) || typeof inline.mimeType !== 'string' || typeof inline.data !== 'string' || inline.data.startsWith('data:')))
    return `${where}.inlineData needs mimeType and raw base64 data`
  const file = p.fileData
  if (file !== undefined && (!isObj(file) || typeof file.mimeType !== 'string' || typeof file.fileUri !== 'string')) return `${where}.fileData needs mimeType and fileUri`
  const call = p.functionCall
  if (call !== undefined && (!isObj(call) || typeof call.name !== 'string' || !isObj(call.args))) return `${where}.functionCall needs name and an args object`
  const response = p.functionResponse
  if (response !== undefined && (!isObj(response) || typeof response.name !== 'string' || !isObj(response.response)))
    return `${where}.functionResponse needs name and a response object`
  return undefined
}

function contents(list: unknown): string | undefined {
  if (!Array.isArray(list) || !list.length) return '* GenerateContentRequest.contents: contents is not specified'
  const called = new Set<string>()
  for (const [i, c] of list.entries()) {
    if (!isObj(c) || (c.role !== 'user' && c.role !== 'model')) return `contents[${i}].role must be user or model (a system role goes in systemInstruction)`
    if (!Array.isArray(c.parts) || !c.parts.length) return `contents[${i}].parts must not be empty`
    for (const [j, p] of c.parts.entries()) {
      const wrong = part(p, `contents[${i}].parts[${j}]`)
      if (wrong) return wrong
      const { functionCall, functionResponse } = p as Obj
      if (isObj(functionCall) && c.role !== 'model') return `contents[${i}]: a functionCall belongs to a model turn`
      if (isObj(functionCall)) called.add(String(functionCall.name))
      if (isObj(functionResponse) && !called.has(String(functionResponse.name)))
        return `contents[${i}]: functionResponse ${String(functionResponse.name)} answers no earlier functionCall`
    }
  }
  return undefined
}

export function invalidBody(body: Obj): string | undefined {
  const unknown = Object.keys(body).filter((k) => !BODY_KEYS.has(k))
  if (unknown.length) return `Invalid JSON payload received. Unknown name "${unknown[0]}": Cannot find field.`
  const wrong = contents(body.contents)
  if (wrong) return wrong
  const system = body.systemInstruction
  if (system !== undefined && (!isObj(system) || !Array.isArray(system.parts) || system.parts.some((p) => part(p, 'systemInstruction.parts'))))
    return 'systemInstruction must be {parts: [{text}]}'
  const g = body.generationConfig
  if (g !== undefined) {
    if (!isObj(g)) return 'generationConfig must be an object'
    const bad = Object.keys(g).find((k) => !GENERATION_KEYS.has(k))
    if (bad) return `Invalid JSON payload received. Unknown name "${bad}" at 'generation_config': Cannot find field.`
  }
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    const decls = isObj(t) ? t.functionDeclarations : undefined
    if (!Array.isArray(decls) || decls.some((d) => !isObj(d) || typeof d.name !== 'string')) return 'tools[].functionDeclarations[] need a name'
  }
  return undefined
}
