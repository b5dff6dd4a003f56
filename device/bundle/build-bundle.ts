/**
 * `agekit bundle`: the deployable device folder. esbuild bundles device/main.ts into one ESM
 * file; the models, a package.json holding only the runtime dependencies that cannot be bundled
 * (native addons, WASM files), an example config, a systemd unit and an install script go beside
 * it. Copy the folder to a Pi or Jetson and run `sudo ./install.sh`.
 *
 * @example
 * const r = await buildBundle({ out: 'dist/agekit-device' });
 */
import { copyFile, mkdir, readFile, readdir, stat, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { ModelFormatError, UsageError } from '../../core/errors.ts';
import { shippedModelsDir } from '../pipeline.ts';

/** Packages left out of the bundle: native addons, WASM loaders and their heavy trees. */
export const BUNDLE_EXTERNALS = ['tfjs-tflite-node', 'sharp', 'mqtt', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-tflite'] as const;

export const BUNDLE_ENTRY_FILE = 'agekit-device.mjs';

/**
 * The service's AGEKIT_CACHE: where the runtime keeps the XNNPACK delegate library it compiles
 * on first use. Under /var/lib it survives reboots (the default cache is in the temp folder).
 */
export const SERVICE_CACHE_DIR = '/var/lib/agekit/cache';

export interface BuildBundleOptions {
  /** Output folder (created). */
  out: string;
  /** Model files to ship; default every .tflite (and model card) in samples/models. */
  models?: string[];
  /** Minify the JavaScript. Default false (readable stack traces on the device). */
  minify?: boolean;
}

export interface BundleResult {
  out: string;
  entry: string;
  /** Bytes of the bundled JavaScript. */
  bytes: number;
  models: string[];
  dependencies: Record<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..');

function installedVersion(pkg: string): string {
  const require = createRequire(join(projectRoot, 'package.json'));
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    // Some packages do not export package.json: read it from node_modules directly.
    const p = join(projectRoot, 'node_modules', pkg, 'package.json');
    if (existsSync(p)) return (JSON.parse(require('node:fs').readFileSync(p, 'utf8')) as { version: string }).version;
    throw new UsageError(`dependency ${pkg} is not installed`, { where: 'agekit bundle', hint: 'run npm ci in the agekit folder first' });
  }
}

export async function buildBundle(o: BuildBundleOptions): Promise<BundleResult> {
  const entryTs = join(projectRoot, 'device', 'main.ts');
  if (!existsSync(entryTs)) throw new UsageError('device/main.ts not found: agekit bundle runs from an agekit source checkout', { where: 'agekit bundle' });
  const out = resolve(o.out);
  await mkdir(join(out, 'models'), { recursive: true });
  const { build } = await import('esbuild');
  const entry = join(out, BUNDLE_ENTRY_FILE);
  await build({
    entryPoints: [entryTs], outfile: entry, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    // esbuild itself is only needed to build bundles, never inside one.
    external: [...BUNDLE_EXTERNALS, 'esbuild'], minify: o.minify ?? false, sourcemap: false, logLevel: 'silent', legalComments: 'none',
    // Bundled CommonJS code (commander, node-webcam) uses require() and __dirname: give ESM both.
    banner: {
      js: "import { createRequire as __agekitCreateRequire } from 'node:module'; import { fileURLToPath as __agekitFileUrl } from 'node:url'; " +
        "import { dirname as __agekitDirname } from 'node:path'; const require = __agekitCreateRequire(import.meta.url); " +
        'const __filename = __agekitFileUrl(import.meta.url); const __dirname = __agekitDirname(__filename);',
    },
  });

  const modelFiles = o.models ?? (existsSync(shippedModelsDir()) ? (await readdir(shippedModelsDir())).filter((f) => /\.(tflite|md)$/i.test(f)).map((f) => join(shippedModelsDir(), f)) : []);
  const copied: string[] = [];
  for (const m of modelFiles) {
    if (!existsSync(m)) throw new ModelFormatError('model to bundle not found', { where: m, hint: 'check the path' });
    const name = m.split(/[\\/]/).pop()!;
    await copyFile(m, join(out, 'models', name));
    copied.push(name);
  }
  if (!copied.some((c) => /blazeface.*\.tflite$/i.test(c))) {
    throw new ModelFormatError('no face detector to bundle (blazeface.tflite)', { where: shippedModelsDir(), hint: 'convert BlazeFace first (agekit convert) or pass its path' });
  }

  const dependencies: Record<string, string> = {};
  for (const pkg of BUNDLE_EXTERNALS) dependencies[pkg] = installedVersion(pkg);
  const pkgJson = {
    name: 'agekit-device', version: '0.1.0', private: true, type: 'module',
    description: 'agekit device runtime: face detection, age estimation and tracking on a camera (bundled by agekit bundle)',
    bin: { 'agekit-device': `./${BUNDLE_ENTRY_FILE}` }, engines: { node: '>=20.9' }, dependencies,
  };
  await writeFileAtomic(join(out, 'package.json'), JSON.stringify(pkgJson, null, 2) + '\n');
  const student = copied.find((c) => /\.tflite$/i.test(c) && !/blazeface/i.test(c));
  await writeFileAtomic(join(out, 'agekit.env.example'), exampleConfig(student));
  await writeFileAtomic(join(out, 'agekit.service'), SYSTEMD_UNIT);
  await writeFileAtomic(join(out, 'install.sh'), INSTALL_SCRIPT);
  await chmod(join(out, 'install.sh'), 0o755);
  await writeFileAtomic(join(out, 'README.txt'), BUNDLE_README);
  const bytes = (await stat(entry)).size;
  return { out, entry, bytes, models: copied, dependencies };
}

function exampleConfig(student?: string): string {
  return `# agekit device configuration: copied to /etc/agekit/agekit.env by install.sh (kept if present).
# AGEKIT_ARGS are the arguments of "agekit-device.mjs"; see: node agekit-device.mjs run --help
# Nothing is written to disk except the report; the HTTP server listens on localhost only.
# AGEKIT_CACHE (set by the service to ${SERVICE_CACHE_DIR}) may be overridden here; it must be private to the agekit user.
AGEKIT_ARGS="run --source v4l2:/dev/video0 --size 640x480 --fps 30 --threads 4 ${student ? `--model /opt/agekit/models/${student}` : '--no-ages'} --http 127.0.0.1:8080 --report /var/lib/agekit/report.json --out /dev/null --no-status"
# Examples:
#   Raspberry Pi camera (libcamera):   --source rpicam
#   Jetson CSI camera:                 --source "gst:nvarguscamerasrc ! nvvidconv"
#   Coral USB accelerator:             --delegate /usr/lib/aarch64-linux-gnu/libedgetpu.so.1
#   MQTT:                              --mqtt mqtt://192.168.1.10:1883/agekit/door1 --mqtt-interval 60
`;
}

const SYSTEMD_UNIT = `[Unit]
Description=agekit device runtime (face detection, age estimation, tracking)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=agekit
SupplementaryGroups=video
# The XNNPACK delegate library is compiled once into this cache (created by install.sh, owner agekit, mode 700).
Environment=AGEKIT_CACHE=${SERVICE_CACHE_DIR}
EnvironmentFile=/etc/agekit/agekit.env
WorkingDirectory=/opt/agekit
ExecStart=/usr/bin/env node /opt/agekit/${BUNDLE_ENTRY_FILE} $AGEKIT_ARGS
# SIGTERM stops the camera, prints the summary and writes the report.
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=always
RestartSec=5
StateDirectory=agekit
Nice=-5

[Install]
WantedBy=multi-user.target
`;

const INSTALL_SCRIPT = `#!/bin/sh
# Install the agekit device runtime as a systemd service. Run from this folder: sudo ./install.sh
# Options: --prefix <dir> (default /opt/agekit), --no-service (files and dependencies only),
# --check (only check the prerequisites: Node.js, ffmpeg, a C compiler; installs nothing).
set -eu
PREFIX=/opt/agekit
SERVICE=1
CHECK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-service) SERVICE=0; shift ;;
    --check) CHECK=1; shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v node >/dev/null || { echo "install.sh: Node.js 20 or newer is needed (e.g. apt-get install nodejs)" >&2; exit 1; }
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || { echo "install.sh: Node.js $NODE_MAJOR found, 20 or newer needed" >&2; exit 1; }
command -v ffmpeg >/dev/null || echo "install.sh: warning: ffmpeg not found; v4l2:, file: and rtsp:// sources need it (apt-get install ffmpeg)" >&2
# Native TFLite reaches XNNPACK through a small library agekit compiles once with the system C
# compiler (cc or gcc, and the C library headers); without it TFLite runs its builtin kernels.
CC_FOUND=$(command -v cc || command -v gcc || true)
if [ -z "$CC_FOUND" ]; then
  echo "install.sh: warning: no C compiler found (cc); native TFLite will run on its builtin kernels, about 8x slower than on XNNPACK. Install one: apt-get install gcc libc6-dev (then restart agekit)" >&2
elif ! printf '#include <dlfcn.h>\\n' | "$CC_FOUND" -fsyntax-only -x c - >/dev/null 2>&1; then
  echo "install.sh: warning: $CC_FOUND cannot compile against the C library headers (dlfcn.h); native TFLite will run on its builtin kernels, about 8x slower than on XNNPACK. Install them: apt-get install libc6-dev (then restart agekit)" >&2
else
  echo "install.sh: C compiler $CC_FOUND found: native TFLite will run on XNNPACK" >&2
fi
[ "$CHECK" -eq 0 ] || exit 0
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$PREFIX"
if [ "$HERE" != "$(cd "$PREFIX" && pwd)" ]; then cp -R "$HERE"/. "$PREFIX"/; fi
cd "$PREFIX"
# Native parts (TFLite runtime, sharp) come as prebuilt binaries for linux arm64 and x64.
npm install --omit=dev --no-audit --no-fund
node "$PREFIX/${BUNDLE_ENTRY_FILE}" --version >/dev/null
if [ "$SERVICE" -eq 1 ]; then
  id agekit >/dev/null 2>&1 || useradd --system --no-create-home --groups video agekit
  # The service's AGEKIT_CACHE: private to agekit (the runtime refuses a cache others can write to).
  install -d -o agekit -g "$(id -g agekit)" -m 700 ${SERVICE_CACHE_DIR}
  mkdir -p /etc/agekit
  [ -f /etc/agekit/agekit.env ] || cp "$PREFIX/agekit.env.example" /etc/agekit/agekit.env
  sed "s#/opt/agekit#$PREFIX#g" "$PREFIX/agekit.service" > /etc/systemd/system/agekit.service
  systemctl daemon-reload
  systemctl enable --now agekit.service
  echo "agekit installed in $PREFIX and started; edit /etc/agekit/agekit.env, then: systemctl restart agekit; journalctl -u agekit -f"
else
  echo "agekit installed in $PREFIX; run: node $PREFIX/${BUNDLE_ENTRY_FILE} run --source v4l2:/dev/video0"
fi
`;

const BUNDLE_README = `agekit device runtime (bundled)

  sudo ./install.sh            install to /opt/agekit, npm install the native parts, start the systemd service
  ./install.sh --check         only check the prerequisites (Node.js 20+, ffmpeg, a C compiler for XNNPACK)
  node ${BUNDLE_ENTRY_FILE} run --source v4l2:/dev/video0 --http 127.0.0.1:8080
  node ${BUNDLE_ENTRY_FILE} bench --frames 30 --images <folder of photos with faces>

Models are in models/ (found automatically). Configuration for the service: /etc/agekit/agekit.env.
Native TFLite runs on XNNPACK through a small library compiled on first start with the C compiler
(apt-get install gcc libc6-dev) and kept in ${SERVICE_CACHE_DIR}; without a compiler it runs on
TFLite's builtin kernels, about 8x slower.
`;

/** Read a bundle's package.json (for checks and tests). */
export async function readBundlePackage(out: string): Promise<{ dependencies: Record<string, string> }> {
  return JSON.parse(await readFile(join(out, 'package.json'), 'utf8'));
}
