/**
 * `agekit bundle --out <dir>`: the deployable device folder (one JavaScript file, models,
 * package.json of the native dependencies, example config, systemd unit, install script).
 *
 * @example
 * agekit bundle --out dist/agekit-device && scp -r dist/agekit-device pi@pi.local: && ssh pi@pi.local 'cd agekit-device && sudo ./install.sh'
 */
import { Command } from 'commander';
import { buildBundle } from '../bundle/build-bundle.ts';

export function registerBundle(program: Command): void {
  program.command('bundle')
    .description('build the deployable device folder: one bundled JS file, models, package.json of native deps, config, systemd unit, install script')
    .requiredOption('--out <dir>', 'output folder')
    .option('--model <file...>', 'model files to ship (default: every .tflite in samples/models)')
    .option('--minify', 'minify the bundled JavaScript', false)
    .action(async function (this: Command) {
      const f = this.opts<{ out: string; model?: string[]; minify: boolean }>();
      const r = await buildBundle({ out: f.out, models: f.model, minify: f.minify });
      const say = (l: string) => process.stderr.write(`agekit bundle: ${l}\n`);
      say(`${r.entry} (${(r.bytes / 1024).toFixed(0)} KiB), models: ${r.models.join(', ')}`);
      say(`dependencies to install on the device: ${Object.entries(r.dependencies).map(([k, v]) => `${k}@${v}`).join(', ')}`);
      say(`copy ${r.out} to the device and run: sudo ./install.sh`);
    });
}
