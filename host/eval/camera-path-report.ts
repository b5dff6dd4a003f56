/**
 * What `agekit eval --path camera|both` prints and stores: chip and camera-path figures side by
 * side (MAE, bias, per-decade MAE and signed error, faces the detector missed) and the JSON
 * `camera` object.
 *
 * @example
 * process.stdout.write(formatCameraPathTable(result));
 * const json = { ...evalJson(chip, name, spec), camera: cameraPathJson(result, scene) };
 */
import type { CameraPathResult } from './camera-path.ts';
import { boxNoiseJson } from './box-noise.ts';
import { metricsToJson, type AgeMetrics } from './metrics.ts';

/** How the camera frames were made, for the report. */
export interface CameraSceneReport { frameSize: [number, number]; facePx: [number, number]; seed: number; detector: string }

const f = (v: number | undefined, d = 2) => (v !== undefined && Number.isFinite(v) ? v.toFixed(d) : '-');
const signed = (v: number | undefined, d = 2) => (v !== undefined && Number.isFinite(v) ? (v > 0 ? '+' : '') + v.toFixed(d) : '-');

/** Chip and camera path as one aligned table: totals, then per decade of true age. */
export function formatCameraPathTable(r: CameraPathResult): string {
  const cam = r.camera;
  const rows: [string, AgeMetrics | undefined, string][] = [
    ['chip', r.chip?.metrics, ''],
    ['camera', cam.metrics, `found ${cam.found} of ${r.samples.length * cam.placements}, missed ${cam.missed}, other detections ${cam.falsePositives}`],
  ];
  if (cam.chipOnFound && cam.missed > 0) rows.push(['chip, found faces', cam.chipOnFound, 'the chip path on the faces the camera path found']);
  const lines = ['path                    n     MAE     bias', ...rows.filter(([, m]) => m).map(([name, m, note]) =>
    `${name.padEnd(18)}${String(m!.n).padStart(7)}${f(m!.mae, 3).padStart(8)}${signed(m!.bias, 3).padStart(9)}${note ? `   ${note}` : ''}`)];
  const decades = new Map<string, { n: number; chip?: AgeMetrics['byDecade'][number]; cam?: AgeMetrics['byDecade'][number] }>();
  for (const d of r.chip?.metrics.byDecade ?? []) decades.set(d.decade, { n: d.n, chip: d });
  for (const d of cam.metrics?.byDecade ?? []) { const e = decades.get(d.decade) ?? { n: d.n }; e.cam = d; decades.set(d.decade, e); }
  const order = [...decades.entries()].sort((a, b) => (a[1].chip?.from ?? a[1].cam!.from) - (b[1].chip?.from ?? b[1].cam!.from));
  lines.push('', 'decade      n   chip MAE   bias   camera MAE   bias');
  for (const [name, e] of order) {
    lines.push(`${name.padEnd(8)}${String(e.n).padStart(5)}${f(e.chip?.mae).padStart(11)}${signed(e.chip?.bias).padStart(7)}${f(e.cam?.mae).padStart(13)}${signed(e.cam?.bias).padStart(7)}`);
  }
  const b = cam.boxNoise;
  if (b) {
    lines.push('', `detector boxes against true boxes (${b.n}): centre dx ${signed(b.dx.mean, 3)} sd ${f(b.dx.sd, 3)}, dy ${signed(b.dy.mean, 3)} sd ${f(b.dy.sd, 3)} (of the side); scale ${f(b.scale.mean, 3)} sd ${f(b.scale.sd, 3)}; IoU ${f(b.iou, 3)}`);
  }
  return lines.join('\n') + '\n';
}

/** The camera path in the JSON report (snake_case). */
export function cameraPathJson(r: CameraPathResult, scene: CameraSceneReport): Record<string, unknown> {
  const cam = r.camera;
  return {
    ...(cam.metrics ? metricsToJson(cam.metrics) : { n: 0 }),
    placements: cam.placements, found: cam.found, missed: cam.missed, false_positives: cam.falsePositives,
    chip_on_found: cam.chipOnFound ? metricsToJson(cam.chipOnFound) : null,
    box_noise: cam.boxNoise ? boxNoiseJson(cam.boxNoise) : null,
    scene: { frame: scene.frameSize, face_px: scene.facePx, seed: scene.seed, detector: scene.detector },
    seconds: r.seconds,
  };
}
