/**
 * `agekit bundle [--target linux-arm64|linux-x64] [--out DIR] [--tar]`: the self-contained device
 * folder (see device/bundle/build-bundle.ts), with its size by part on stderr.
 *
 * @example
 * agekit bundle --target linux-arm64 --tar && scp dist/agekit-device-linux-arm64.tar.gz pi@pi.local:
 */
import { Command, Option } from 'commander';
import { buildBundle } from '../bundle/build-bundle.ts';
import { BUNDLE_TARGETS, hostBundleTarget, type BundleTargetName } from '../bundle/bundle-target.ts';

interface BundleFlags { target?: BundleTargetName; out?: string; tar: boolean; model?: string[]; node?: string; cache?: string; minify: boolean }

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export function registerBundle(program: Command): void {
  program.command('bundle')
    .description('build the self-contained device folder for a target: Node.js, the device code, native parts compiled for the target, models, launcher, install.sh, systemd unit')
    .addOption(new Option('--target <target>', `the machine to run on (default: this one, ${hostBundleTarget() ?? 'none'})`).choices([...BUNDLE_TARGETS]))
    .option('--out <dir>', 'output folder (default: dist/agekit-device-<target>)')
    .option('--tar', 'also write <out>.tar.gz to copy to the device', false)
    .option('--model <file...>', 'model files to ship (default: every .tflite in samples/models)')
    .option('--node <version>', 'Node.js version to bundle (default: the one running agekit; it must satisfy engines.node)')
    .option('--cache <dir>', 'cache of downloaded npm tarballs (default: $AGEKIT_BUNDLE_CACHE or ~/.cache/agekit/packages)')
    .option('--minify', 'minify the bundled JavaScript', false)
    .action(async function (this: Command) {
      const f = this.opts<BundleFlags>();
      const say = (l: string) => process.stderr.write(`agekit bundle: ${l}\n`);
      const r = await buildBundle({ target: f.target, out: f.out, tar: f.tar, models: f.model, nodeVersion: f.node, cacheDir: f.cache, minify: f.minify, onProgress: say });
      say(`${r.out}: ${r.target}, Node.js ${r.manifest.node}, ${r.manifest.files.length} files, ${mb(r.manifest.bytes)} unpacked, built in ${r.seconds.toFixed(0)} s`);
      say(`largest parts: ${r.parts.slice(0, 6).map((p) => `${p.part} ${mb(p.bytes)}`).join(', ')}`);
      if (r.tarball) say(`archive ${r.tarball}`);
      say(`on the device: ./install.sh --check, then sudo ./install.sh (see ${r.out}/README.txt)`);
    });
}
