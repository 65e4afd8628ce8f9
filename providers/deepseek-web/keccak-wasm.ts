// The proof-of-work inner loop as a tiny WebAssembly function, assembled here from the Keccak
// definition (no binary blob): JavaScript has no 64-bit integers, and the 32-bit-pair version in
// keccak.ts runs about five times slower than native i64 lanes with single-instruction rotates.
//
// Exported `tryBlock(): i32` computes state = permute23(base XOR block) and returns 1 when the
// first 32 bytes equal the target. The caller writes base, block and target into memory.

const ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]
const ROUND_CONSTANTS = [
  0x1n, 0x8082n, 0x800000000000808an, 0x8000000080008000n, 0x808bn, 0x80000001n, 0x8000000080008081n,
  0x8000000000008009n, 0x8an, 0x88n, 0x80008009n, 0x8000000an, 0x8000808bn, 0x800000000000008bn,
  0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n, 0x800an,
  0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x80000001n, 0x8000000080008008n,
]

/** Byte offsets inside the module's memory. */
export const WASM_LAYOUT = { base: 0, block: 200, target: 336, roundConstants: 368 } as const
const RATE_LANES = 17

const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, brIf: 0x0d, return: 0x0f, voidType: 0x40,
  localGet: 0x20, localSet: 0x21, i64Load: 0x29, i32Const: 0x41, i64Const: 0x42,
  i64Ne: 0x52, i32LtU: 0x49, i32Add: 0x6a, i32Shl: 0x74,
  i64And: 0x83, i64Xor: 0x85, i64Rotl: 0x89,
} as const

function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content]
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()]
}

const ascii = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]

/** Local indices: a = state lanes, b = after rho/pi, c = column parities, d = theta effect. */
const A = (i: number) => i
const B = (i: number) => 25 + i
const C = (x: number) => 50 + x
const D = (x: number) => 55 + x
const ROUND = 60

function functionBody(): number[] {
  const code: number[] = []
  const get = (local: number) => code.push(op.localGet, ...uleb(local))
  const set = (local: number) => code.push(op.localSet, ...uleb(local))
  const load = (offset: number) => code.push(op.i32Const, 0, op.i64Load, 3, ...uleb(offset))

  for (let i = 0; i < 25; i++) {
    load(WASM_LAYOUT.base + 8 * i)
    if (i < RATE_LANES) {
      load(WASM_LAYOUT.block + 8 * i)
      code.push(op.i64Xor)
    }
    set(A(i))
  }
  code.push(op.i32Const, 1)
  set(ROUND)
  code.push(op.loop, op.voidType)
  for (let x = 0; x < 5; x++) {
    get(A(x))
    for (let y = 1; y < 5; y++) {
      get(A(x + 5 * y))
      code.push(op.i64Xor)
    }
    set(C(x))
  }
  for (let x = 0; x < 5; x++) {
    get(C((x + 4) % 5))
    get(C((x + 1) % 5))
    code.push(op.i64Const, 1, op.i64Rotl, op.i64Xor)
    set(D(x))
  }
  for (let i = 0; i < 25; i++) {
    const x = i % 5
    const y = Math.floor(i / 5)
    get(A(i))
    get(D(x))
    code.push(op.i64Xor)
    if (ROTATIONS[i]) code.push(op.i64Const, ROTATIONS[i]!, op.i64Rotl)
    set(B(y + 5 * ((2 * x + 3 * y) % 5)))
  }
  for (let i = 0; i < 25; i++) {
    const row = i - (i % 5)
    get(B(row + ((i + 1) % 5)))
    code.push(op.i64Const, 0x7f, op.i64Xor) // NOT, as XOR with -1
    get(B(row + ((i + 2) % 5)))
    code.push(op.i64And)
    get(B(i))
    code.push(op.i64Xor)
    set(A(i))
  }
  get(A(0))
  get(ROUND)
  code.push(op.i32Const, 3, op.i32Shl, op.i64Load, 3, ...uleb(WASM_LAYOUT.roundConstants), op.i64Xor)
  set(A(0))
  get(ROUND)
  code.push(op.i32Const, 1, op.i32Add)
  set(ROUND)
  get(ROUND)
  code.push(op.i32Const, 24, op.i32LtU, op.brIf, 0, op.end)
  for (let lane = 0; lane < 4; lane++) {
    get(A(lane))
    load(WASM_LAYOUT.target + 8 * lane)
    code.push(op.i64Ne, op.if, op.voidType, op.i32Const, 0, op.return, op.end)
  }
  code.push(op.i32Const, 1, op.end)
  const locals = vector([
    [...uleb(60), 0x7e],
    [1, 0x7f],
  ])
  return [...locals, ...code]
}

function moduleBytes(): Uint8Array {
  const body = functionBody()
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, 0, 1, 0x7f]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0, 1]])),
    ...section(7, vector([[...ascii('memory'), 2, 0], [...ascii('tryBlock'), 0, 0]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ])
}

/** The slice of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
let compiled: object | undefined

export interface WasmBlockHasher {
  /** The module's memory, laid out as WASM_LAYOUT says. */
  bytes: Uint8Array
  tryBlock(): number
}

/** A fresh instance (own memory) with the round constants in place. */
export function createBlockHasher(): WasmBlockHasher {
  compiled ??= new wasm.Module(moduleBytes())
  const { exports } = new wasm.Instance(compiled, {})
  const memory = exports.memory as { buffer: ArrayBuffer }
  const constants = new BigInt64Array(memory.buffer, WASM_LAYOUT.roundConstants, ROUND_CONSTANTS.length)
  ROUND_CONSTANTS.forEach((rc, i) => {
    constants[i] = BigInt.asIntN(64, rc)
  })
  return { bytes: new Uint8Array(memory.buffer), tryBlock: exports.tryBlock as () => number }
}
