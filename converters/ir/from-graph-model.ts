/**
 * Importer: a tfjs GraphModel (GraphDef nodes + weights), e.g. BlazeFace and HSE-FaceRes from
 * @vladmandic/human, to the graph IR. Shapes of intermediate tensors are taken from one run of
 * the model on a zero input at batch 1; every GraphDef op without a mapping becomes an
 * `unsupported` op naming the node.
 *
 * @example
 * const loaded = await loadGraphModelFile('blazeface.json');
 * const g = fromGraphModel(loaded);
 */
import * as tf from '@tensorflow/tfjs';
import { addTensor, type Activation, type Graph, type IrOp, type PaddingMode } from './graph.ts';
import { convKernelToOhwi, denseKernelToOi } from './from-layers-model.ts';
import type { LoadedGraphModel } from './load-graph-model.ts';

interface AttrValue { s?: string; i?: string | number; f?: number; b?: boolean; list?: { i?: (string | number)[]; s?: string[] }; type?: string; shape?: { dim?: { size: string | number }[] } }
interface NodeDef { name: string; op: string; input?: string[]; attr?: Record<string, AttrValue> }

const str = (a: AttrValue | undefined) => (a?.s ? Buffer.from(a.s, 'base64').toString('utf8') : undefined);
const ints = (a: AttrValue | undefined) => (a?.list?.i ?? []).map(Number);
const strs = (a: AttrValue | undefined) => (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
/** Node name of an input reference (`name:1` -> `name`, control inputs `^name` dropped by the caller). */
const nodeOf = (ref: string) => ref.replace(/:\d+$/, '');

/** Order nodes so every node comes after its inputs (GraphDef does not promise it). */
function topoSort(nodes: NodeDef[]): NodeDef[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Set<string>(), out: NodeDef[] = [];
  const visit = (n: NodeDef) => {
    const stack: [NodeDef, number][] = [[n, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (done.has(node.name)) { stack.pop(); continue; }
      const inputs = (node.input ?? []).filter((r) => !r.startsWith('^'));
      if (i < inputs.length) {
        top[1]++;
        const dep = byName.get(nodeOf(inputs[i]));
        if (dep && !done.has(dep.name)) stack.push([dep, 0]);
        continue;
      }
      done.add(node.name);
      out.push(node);
      stack.pop();
    }
  };
  nodes.forEach(visit);
  return out;
}

/** Shapes of every non-constant node's output at batch 1, from one run on zeros. */
function runShapes(model: tf.GraphModel, nodes: NodeDef[], inputShapes: Map<string, number[]>): Map<string, number[]> {
  const names = nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder').map((n) => n.name);
  const feeds: tf.NamedTensorMap = {};
  for (const [name, shape] of inputShapes) feeds[name] = tf.zeros(shape);
  const outs = model.execute(feeds, names) as tf.Tensor[];
  const shapes = new Map<string, number[]>();
  names.forEach((n, i) => shapes.set(n, outs[i].shape));
  for (const [name, shape] of inputShapes) shapes.set(name, shape);
  tf.dispose([...outs, ...Object.values(feeds)]);
  return shapes;
}

/** Convert a loaded GraphModel to the IR (batch 1). Graph outputs keep the model's output order and names. */
export function fromGraphModel(loaded: LoadedGraphModel): Graph {
  const { model, artifacts } = loaded;
  const graphDef = artifacts.modelTopology as { node: NodeDef[] };
  const nodes = topoSort(graphDef.node);
  const weights = model.weights;
  const g: Graph = { tensors: [], ops: [], inputs: [], outputs: [] };
  const byNode = new Map<string, number>();

  const inputShapes = new Map<string, number[]>();
  for (const n of nodes) {
    if (n.op !== 'Placeholder') continue;
    const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
    inputShapes.set(n.name, dims.map((d) => (d < 0 ? 1 : d)));
  }
  const shapes = runShapes(model, nodes, inputShapes);

  const constData = (name: string): Float32Array | Int32Array | undefined => {
    const t = weights[name]?.[0];
    if (!t) return undefined;
    return t.dtype === 'int32' ? Int32Array.from(t.dataSync() as Int32Array) : Float32Array.from(t.dataSync() as Float32Array);
  };
  const constShape = (name: string) => weights[name]?.[0]?.shape ?? [];
  const tensorOf = (ref: string): number => {
    const t = byNode.get(nodeOf(ref));
    if (t === undefined) throw new Error(`graph node input ${ref} not found`);
    return t;
  };
  const out = (n: NodeDef) => {
    const t = addTensor(g, { name: n.name, shape: [...(shapes.get(n.name) ?? [])], dtype: 'float32' });
    byNode.set(n.name, t);
    return t;
  };
  const konst = (name: string, shape: number[], data: Float32Array | Int32Array) =>
    addTensor(g, { name, shape, dtype: data instanceof Int32Array ? 'int32' : 'float32', data });
  const push = (op: IrOp): void => { g.ops.push(op); };

  for (const n of nodes) {
    const inputs = (n.input ?? []).filter((r) => !r.startsWith('^'));
    const a = n.attr ?? {};
    const padding = (str(a.padding) ?? 'VALID').toLowerCase() as PaddingMode;
    const strides = ints(a.strides), dil = ints(a.dilations);
    const hw = (v: number[], d: number): [number, number] => (v.length === 4 ? [v[1], v[2]] : [d, d]);
    const unsupported = (reason: string) => push({ kind: 'unsupported', name: n.name, source: n.op, reason, inputs: inputs.map((r) => byNode.get(nodeOf(r)) ?? -1), outputs: [out(n)] });
    const fusedActivation = (ops: string[]): Activation | undefined => {
      const extra = ops.filter((o) => o !== 'BiasAdd');
      if (extra.length === 0) return 'none';
      if (extra.length === 1 && extra[0] === 'Relu') return 'relu';
      if (extra.length === 1 && extra[0] === 'Relu6') return 'relu6';
      return undefined;
    };
    if (str(a.data_format) && str(a.data_format) !== 'NHWC') { unsupported(`data_format ${str(a.data_format)}`); continue; }
    if (padding === ('explicit' as PaddingMode)) { unsupported('EXPLICIT padding'); continue; }

    switch (n.op) {
      case 'Placeholder':
        g.inputs.push(out(n));
        break;
      case 'Const': {
        const data = constData(n.name);
        if (data) byNode.set(n.name, konst(n.name, constShape(n.name), data));
        break;
      }
      case 'Identity': case 'StopGradient': case 'NoOp':
        if (inputs.length) byNode.set(n.name, tensorOf(inputs[0]));
        break;
      case 'Conv2D': case '_FusedConv2D': case 'DepthwiseConv2dNative': case '_FusedDepthwiseConv2dNative': {
        const act = n.op.startsWith('_Fused') ? fusedActivation(strs(a.fused_ops)) : 'none';
        if (act === undefined) { unsupported(`fused ops ${strs(a.fused_ops).join('+')}`); break; }
        const kname = nodeOf(inputs[1]);
        const kdata = constData(kname) as Float32Array;
        const [kh, kw, cin, cout] = constShape(kname);
        const depthwise = n.op.includes('Depthwise');
        const channels = depthwise ? cin * cout : cout;
        const biasData = n.op.startsWith('_Fused') ? (constData(nodeOf(inputs[2])) as Float32Array) : new Float32Array(channels);
        const filter = depthwise
          ? konst(`${n.name}/filter`, [1, kh, kw, channels], kdata)
          : konst(`${n.name}/filter`, [cout, kh, kw, cin], convKernelToOhwi(kdata, kh, kw, cin, cout));
        const bias = konst(`${n.name}/bias`, [channels], Float32Array.from(biasData));
        const common = { name: n.name, inputs: [tensorOf(inputs[0]), filter, bias], outputs: [out(n)], strides: hw(strides, 1), dilations: hw(dil, 1), padding, activation: act };
        push(depthwise ? { kind: 'depthwiseConv2d', multiplier: cout, ...common } : { kind: 'conv2d', ...common });
        break;
      }
      case 'MatMul': case '_FusedMatMul': {
        if (a.transpose_a?.b) { unsupported('transpose_a'); break; }
        const act = n.op === '_FusedMatMul' ? fusedActivation(strs(a.fused_ops)) : 'none';
        if (act === undefined) { unsupported(`fused ops ${strs(a.fused_ops).join('+')}`); break; }
        const wname = nodeOf(inputs[1]);
        const wdata = constData(wname) as Float32Array;
        if (!wdata) { unsupported('non-constant weights'); break; }
        const [r, c] = constShape(wname);
        const [cin, cout] = a.transpose_b?.b ? [c, r] : [r, c];
        const w = konst(`${n.name}/weights`, [cout, cin], a.transpose_b?.b ? Float32Array.from(wdata) : denseKernelToOi(wdata, cin, cout));
        const bias = konst(`${n.name}/bias`, [cout], n.op === '_FusedMatMul' ? Float32Array.from(constData(nodeOf(inputs[2])) as Float32Array) : new Float32Array(cout));
        push({ kind: 'fullyConnected', name: n.name, inputs: [tensorOf(inputs[0]), w, bias], outputs: [out(n)], activation: act, keepNumDims: false });
        break;
      }
      case 'BiasAdd': case 'Add': case 'AddV2': case 'Mul': case 'Sub':
        push({ kind: n.op === 'Mul' ? 'mul' : n.op === 'Sub' ? 'sub' : 'add', name: n.name, inputs: [tensorOf(inputs[0]), tensorOf(inputs[1])], outputs: [out(n)], activation: 'none' });
        break;
      case 'Maximum': case 'Minimum':
        push({ kind: n.op === 'Maximum' ? 'maximum' : 'minimum', name: n.name, inputs: [tensorOf(inputs[0]), tensorOf(inputs[1])], outputs: [out(n)] });
        break;
      case 'Relu': case 'Relu6': case 'Sigmoid': case 'Tanh': {
        const kind = ({ Relu: 'relu', Relu6: 'relu6', Sigmoid: 'logistic', Tanh: 'tanh' } as const)[n.op];
        push({ kind, name: n.name, inputs: [tensorOf(inputs[0])], outputs: [out(n)] });
        break;
      }
      case 'Softmax':
        push({ kind: 'softmax', name: n.name, inputs: [tensorOf(inputs[0])], outputs: [out(n)], beta: 1 });
        break;
      case 'MaxPool': case 'AvgPool':
        push({ kind: n.op === 'MaxPool' ? 'maxPool2d' : 'avgPool2d', name: n.name, inputs: [tensorOf(inputs[0])], outputs: [out(n)], filter: hw(ints(a.ksize), 1), strides: hw(strides, 1), padding, activation: 'none' });
        break;
      case 'Mean': {
        const axes = Array.from(constData(nodeOf(inputs[1])) ?? []);
        const rank = shapes.get(nodeOf(inputs[0]))?.length ?? 4;
        const norm = axes.map((x) => (x < 0 ? x + rank : x));
        push({ kind: 'mean', name: n.name, inputs: [tensorOf(inputs[0]), konst(`${n.name}/axes`, [norm.length], Int32Array.from(norm))], outputs: [out(n)], axes: norm, keepDims: !!a.keep_dims?.b });
        break;
      }
      case 'Pad': {
        const p = Array.from(constData(nodeOf(inputs[1])) ?? []);
        const paddings = Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]] as [number, number]);
        push({ kind: 'pad', name: n.name, inputs: [tensorOf(inputs[0]), konst(`${n.name}/paddings`, [paddings.length, 2], Int32Array.from(p))], outputs: [out(n)], paddings });
        break;
      }
      case 'Reshape': case 'Squeeze': case 'ExpandDims': {
        const shape = [...(shapes.get(n.name) ?? [])];
        push({ kind: 'reshape', name: n.name, inputs: [tensorOf(inputs[0]), konst(`${n.name}/shape`, [shape.length], Int32Array.from(shape))], outputs: [out(n)], shape });
        break;
      }
      case 'ConcatV2': {
        const axisRaw = Number((constData(nodeOf(inputs[inputs.length - 1])) ?? [0])[0]);
        const rank = shapes.get(n.name)?.length ?? 4;
        push({ kind: 'concat', name: n.name, inputs: inputs.slice(0, -1).map(tensorOf), outputs: [out(n)], axis: axisRaw < 0 ? axisRaw + rank : axisRaw, activation: 'none' });
        break;
      }
      default:
        unsupported(`graph op ${n.op} has no TFLite mapping`);
    }
  }
  // Output order and names as the GraphModel reports them (e.g. BlazeFace's Identity..Identity_3).
  for (const name of model.outputNodes) {
    const t = tensorOf(name);
    const shown = nodeOf(name);
    if (g.tensors[t].name !== shown && !g.tensors[t].data) g.tensors[t] = { ...g.tensors[t], name: shown };
    g.outputs.push(t);
  }
  return g;
}
