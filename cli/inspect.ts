/**
 * `agekit inspect <file.tflite>`: what a .tflite file holds, read back with agekit's schema
 * code: io, operators with versions and options, tensors with types, quantization and sizes,
 * and the agekit metadata. A table on stdout, or `--json`.
 *
 * @example
 * agekit inspect student.tflite
 * agekit inspect student.tflite --json | jq .agekit
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { ModelFormatError } from '../core/errors.ts';
import { readTflite, type TfliteInfo, type TfliteTensorInfo } from '../core/tflite/read-tflite.ts';

interface InspectFlags { json: boolean; tensors: boolean }

function quantText(t: TfliteTensorInfo): string {
  const q = t.quantization;
  if (!q) return '';
  if (q.scale.length === 1) return `scale ${q.scale[0].toPrecision(4)} zp ${q.zeroPoint[0]}`;
  const lo = Math.min(...q.scale), hi = Math.max(...q.scale);
  return `${q.scale.length} scales (axis ${q.dimension}) ${lo.toPrecision(3)}..${hi.toPrecision(3)}`;
}

/** The human-readable report of `agekit inspect`. */
export function formatTfliteInfo(file: string, info: TfliteInfo, withTensors: boolean): string {
  const lines: string[] = [];
  const t = (i: number) => info.tensors[i];
  const io = (i: number) => `${t(i).name} [${t(i).shape}] ${t(i).type}${t(i).quantization ? ` (${quantText(t(i))})` : ''}`;
  lines.push(`${file}: ${info.fileBytes} bytes, schema ${info.version}, ${info.description ?? ''}`);
  lines.push(`weights: ${info.weightBytes} bytes in ${info.tensors.filter((x) => x.dataBytes > 0).length} constant tensors; ${info.tensors.length} tensors, ${info.operators.length} operators`);
  for (const i of info.inputs) lines.push(`input  ${io(i)}`);
  for (const i of info.outputs) lines.push(`output ${io(i)}`);
  const counts = new Map<string, number>();
  for (const op of info.operators) counts.set(`${op.builtin} v${op.version}`, (counts.get(`${op.builtin} v${op.version}`) ?? 0) + 1);
  lines.push(`ops: ${[...counts].map(([k, n]) => `${k} x${n}`).join(', ')}`);
  lines.push('operators:');
  for (const op of info.operators) {
    const opts = Object.entries(op.options.values).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v}]` : v}`).join(' ');
    lines.push(`  ${String(op.index).padStart(4)} ${op.builtin.padEnd(18)} in [${op.inputs}] out [${op.outputs}] ${opts}`);
  }
  if (withTensors) {
    lines.push('tensors:');
    for (const x of info.tensors) lines.push(`  ${String(x.index).padStart(4)} ${x.type.padEnd(7)} [${x.shape}] ${x.dataBytes ? `${x.dataBytes} B ` : ''}${quantText(x)} ${x.name}`);
  }
  lines.push(`metadata entries: ${Object.entries(info.metadataEntries).map(([k, n]) => `${k} (${n} B)`).join(', ') || 'none'}`);
  if (info.agekit) {
    lines.push(info.weightsCheck === 'verified' ? `weights checksum: verified (sha256 ${info.agekit.weightsSha256})`
      : 'weights checksum: none (converted by agekit 0.1 or another tool): loaded unverified; agekit convert again adds one');
    lines.push(`agekit metadata: ${JSON.stringify(info.agekit)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerInspect(program: Command): void {
  program.command('inspect')
    .description('show the tensors, ops, quantization, sizes and metadata of a .tflite file')
    .argument('<file>', '.tflite file')
    .option('--json', 'print everything as one JSON object', false)
    .option('--tensors', 'list every tensor in the table output', false)
    .action(async (file: string, flags: InspectFlags) => {
      let bytes: Uint8Array;
      try { bytes = new Uint8Array(await readFile(file)); } catch (err) {
        throw new ModelFormatError(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`, { where: file, hint: 'check the path' });
      }
      const info = readTflite(bytes, file);
      process.stdout.write(flags.json ? JSON.stringify(info) + '\n' : formatTfliteInfo(file, info, flags.tensors));
    });
}
