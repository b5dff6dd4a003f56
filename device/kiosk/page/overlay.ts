/**
 * What the kiosk draws over the video: each face's box with its track, smoothed age and bucket,
 * and a line of speed per stage. The canvas has the frame's size and the video's CSS placement,
 * so boxes in frame pixels land on the faces.
 *
 * @example
 * const overlay = new KioskOverlay(canvas, statsLine);
 * overlay.draw(result, api.stats());
 */
import type { FrameResult } from '../../stages.ts';
import { shownAge } from '../../trackers/age-buckets.ts';
import type { KioskStats } from './audience-api.ts';

const ms = (x: number | undefined) => (x ?? 0).toFixed(1);

export class KioskOverlay {
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly statsLine: HTMLElement) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas context');
    this.ctx = ctx;
  }

  draw(result: FrameResult, stats: KioskStats): void {
    const { ctx, canvas } = this;
    if (canvas.width !== result.width || canvas.height !== result.height) { canvas.width = result.width; canvas.height = result.height; }
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const line = Math.max(2, Math.round(result.width / 320));
    ctx.lineWidth = line;
    ctx.font = `${Math.max(14, Math.round(result.width / 32))}px sans-serif`;
    ctx.textBaseline = 'bottom';
    for (const f of result.faces) {
      const { x, y, w, h } = f.box;
      ctx.strokeStyle = '#3ddc84';
      ctx.strokeRect(x, y, w, h);
      const label = `#${f.track} ${f.ageSmoothed === undefined ? '…' : `${shownAge(f.ageSmoothed)} y`}${f.bucket ? ` (${f.bucket})` : ''}`;
      const tw = ctx.measureText(label).width + 8, th = parseInt(ctx.font, 10) + 6;
      const ty = y - th < 0 ? y + h + th : y;
      ctx.fillStyle = 'rgba(0,0,0,0.65)';
      ctx.fillRect(x, ty - th, tw, th);
      ctx.fillStyle = '#fff';
      ctx.fillText(label, x + 4, ty - 3);
    }
    const s = stats.stageMs, e = stats.extraMs;
    this.statsLine.textContent = `${stats.fps.toFixed(1)} fps · ${stats.model ?? stats.runtime} · capture ${ms(s.capture)} · detect ${ms(s.detect)} (infer ${ms(e['detect.infer'])}) · crop ${ms(s.crop)} · estimate ${ms(s.estimate)} · track ${ms(s.track)} · output ${ms(s.output)} ms · ${result.faces.length} face${result.faces.length === 1 ? '' : 's'}`;
  }
}
