/**
 * A minimal WebAssembly binary writer: just enough to emit small SIMD loops that run on the tfjs
 * WASM backend's own linear memory (imported as `env.memory`), so the gradient kernels read and
 * write tensor data in place without copies. Every function takes i32 parameters and returns
 * nothing; locals are i32 or v128.
 *
 * @example
 * const f = new FunctionWriter(['dst', 'n'], ['i']);
 * f.get('n').set('i'); // ... the loop body, built with the chained emitters below
 * const bytes = writeModule([{ name: 'fill', fn: f }]);
 */

/** Opcodes used by the kernels (WebAssembly core 2.0 with the fixed-width SIMD proposal). */
export const Op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32LtS: 0x48, i32LtU: 0x49, i32GeS: 0x4e, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
  f32Load: 0x2a, f32Store: 0x38, f32Add: 0x92, f32Mul: 0x94,
} as const;

/** SIMD opcodes, emitted after the 0xfd prefix as unsigned LEB128. */
export const SimdOp = { v128Load: 0x00, v128Store: 0x0b, f32x4Splat: 0x13, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;

const I32 = 0x7f;
const V128 = 0x7b;
const EMPTY_BLOCK = 0x40;

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * Builds one function body. Parameters and locals are addressed by name; structured control
 * flow is written with the helpers (`forRange`, `ifThen`) so label depths stay right.
 */
export class FunctionWriter {
  readonly params: string[];
  private readonly i32Locals: string[];
  private readonly v128Locals: string[];
  private readonly index = new Map<string, number>();
  private readonly code: number[] = [];

  constructor(params: string[], i32Locals: string[] = [], v128Locals: string[] = []) {
    this.params = params;
    this.i32Locals = i32Locals;
    this.v128Locals = v128Locals;
    [...params, ...i32Locals, ...v128Locals].forEach((n, i) => {
      if (this.index.has(n)) throw new Error(`wasm-assembler: local "${n}" declared twice`);
      this.index.set(n, i);
    });
  }

  private slot(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm-assembler: unknown local "${n}"`);
    return i;
  }

  /** Append raw opcodes. */
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(n: string): this { return this.op(Op.localGet, ...uleb(this.slot(n))); }
  set(n: string): this { return this.op(Op.localSet, ...uleb(this.slot(n))); }
  tee(n: string): this { return this.op(Op.localTee, ...uleb(this.slot(n))); }
  i32(v: number): this { return this.op(Op.i32Const, ...sleb(v)); }
  simd(op: number): this { return this.op(0xfd, ...uleb(op)); }
  /** v128.load with alignment hint 1 (data may be unaligned) and a constant byte offset. */
  v128Load(offset = 0): this { return this.simd(SimdOp.v128Load).op(0, ...uleb(offset)); }
  v128Store(offset = 0): this { return this.simd(SimdOp.v128Store).op(0, ...uleb(offset)); }
  f32Load(offset = 0): this { return this.op(Op.f32Load, 2, ...uleb(offset)); }
  f32Store(offset = 0): this { return this.op(Op.f32Store, 2, ...uleb(offset)); }

  /** `local = local + delta` (delta a constant). */
  addTo(n: string, delta: number): this { return this.get(n).i32(delta).op(Op.i32Add).set(n); }

  /** `for (v = 0; v < limit; v++) body()`, limit read from a local; skipped when limit <= 0. */
  forRange(v: string, limit: string, body: () => void): this {
    this.i32(0).set(v);
    this.op(Op.block, EMPTY_BLOCK);
    this.get(v).get(limit).op(Op.i32GeS, Op.brIf, 0);
    this.op(Op.loop, EMPTY_BLOCK);
    body();
    this.get(v).i32(1).op(Op.i32Add).tee(v).get(limit).op(Op.i32LtS, Op.brIf, 0);
    this.op(Op.end, Op.end);
    return this;
  }

  /** `do { body() } while (v += step, v < limit)`, for loops known to run at least once. */
  doWhile(v: string, step: number, limit: string, body: () => void): this {
    this.op(Op.loop, EMPTY_BLOCK);
    body();
    this.get(v).i32(step).op(Op.i32Add).tee(v).get(limit).op(Op.i32LtS, Op.brIf, 0);
    this.op(Op.end);
    return this;
  }

  /** `if (<i32 on stack>) body()`. */
  ifThen(body: () => void): this {
    this.op(Op.if, EMPTY_BLOCK);
    body();
    return this.op(Op.end);
  }

  /** The encoded body: local declarations, code, end. */
  encode(): number[] {
    const decls: number[][] = [];
    if (this.i32Locals.length) decls.push([...uleb(this.i32Locals.length), I32]);
    if (this.v128Locals.length) decls.push([...uleb(this.v128Locals.length), V128]);
    const body = [...vec(decls), ...this.code, Op.end];
    return [...uleb(body.length), ...body];
  }
}

/** One exported function of a module. */
export interface ExportedFunction {
  name: string;
  fn: FunctionWriter;
}

/**
 * Encode a module that imports its memory as `env.memory` and exports the given functions.
 * @returns the module bytes, ready for `new WebAssembly.Module`.
 */
export function writeModule(functions: ExportedFunction[]): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(functions.map((f) => f.fn.params.length))];
  const types = arities.map((n) => [0x60, ...vec(Array.from({ length: n }, () => [I32])), 0x00]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]];
  const funcs = functions.map((f) => uleb(arities.indexOf(f.fn.params.length)));
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(functions.map((f) => f.fn.encode()))),
  ];
  return new Uint8Array(bytes);
}
