/**
 * `agekit nets`: the networks agekit can train, with input size, parameter count and
 * multiply-adds of one forward pass (batch 1) for the chosen head, as a table or JSON on stdout.
 *
 * @example
 * agekit nets --head dex --net mobilenet64 --net edgenet
 * agekit nets --json > nets.json
 */
import { Option, type Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice } from '../core/backend/tfjs-backend.ts';
import { HEAD_TYPES, type HeadType } from '../core/contract/model-metadata.ts';
import { countMultiplyAdds, countParams, getNet, listNets } from '../host/nets/index.ts';
import { backendOption } from './options.ts';

interface NetsFlags { head: HeadType; net?: string[]; json: boolean; backend: BackendChoice }

/** One row of `agekit nets`. */
export interface NetRow {
  name: string;
  description: string;
  /** [height, width]; channels are 3. */
  inputSize: [number, number];
  head: HeadType;
  /** All weights, including batch-norm moving statistics (Keras "Total params"). */
  params: number;
  trainableParams: number;
  /** Multiply-adds of one forward pass at batch 1 (convolutions and dense layers). */
  multiplyAdds: number;
}

/** Build each named network (all by default) with `head` and measure it; models are disposed. */
export function describeNets(head: HeadType, names?: string[]): NetRow[] {
  const specs = names && names.length > 0 ? names.map(getNet) : listNets();
  return specs.map((spec) => {
    const model = spec.build({ head, seed: 1 });
    try {
      return {
        name: spec.name, description: spec.description, inputSize: spec.inputSize, head,
        params: countParams(model), trainableParams: countParams(model, { trainableOnly: true }), multiplyAdds: countMultiplyAdds(model),
      };
    } finally {
      model.dispose();
    }
  });
}

/** Render rows as an aligned text table (millions with 2 decimals). */
export function formatNetTable(rows: NetRow[]): string {
  const header = ['net', 'input', 'params', 'MACs', 'description'];
  const cells = rows.map((r) => [r.name, `${r.inputSize[0]}x${r.inputSize[1]}x3`, `${(r.params / 1e6).toFixed(2)} M`, `${(r.multiplyAdds / 1e6).toFixed(1)} M`, r.description]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const right = [false, false, true, true, false];
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : right[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}

export function registerNets(program: Command): void {
  program.command('nets')
    .description('list the networks with input size, parameter count and multiply-adds')
    .addOption(new Option('--head <head>', 'head the counts include').choices([...HEAD_TYPES]).default('regression'))
    .option('--net <name>', 'only this network (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print JSON (one array of rows) instead of a table', false)
    .addOption(backendOption())
    .action(async (flags: NetsFlags) => {
      for (const n of flags.net ?? []) getNet(n); // unknown names fail before any work, listing the known ones
      const backend = await initBackend(flags.backend);
      process.stderr.write(`backend ${backend.name}: ${backend.detail}\n`);
      process.stderr.write(`building ${flags.net?.length ?? listNets().length} network(s) with the ${flags.head} head (vgg16 takes a few seconds)...\n`);
      const rows = describeNets(flags.head, flags.net);
      process.stdout.write((flags.json ? JSON.stringify(rows, null, 2) : formatNetTable(rows)) + '\n');
      process.stderr.write(`MACs: multiply-adds of one forward pass at batch 1 (convolutions and dense layers); tfjs ${tf.version.tfjs}\n`);
    });
}
