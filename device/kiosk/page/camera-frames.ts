/**
 * The page's camera as device Frames: getUserMedia into a <video>, each new video frame drawn
 * into a canvas and read back as RGB (HWC bytes, as every agekit Source gives), with a strictly
 * increasing `tMs` (performance.now()) for the tracker.
 *
 * @example
 * const camera = await CameraFrames.open(video, 640, 480);
 * await camera.nextFrame(); const frame = camera.grab();
 */
import type { Frame } from '../../stages.ts';

/** Resolve after the tasks already queued (a MessageChannel message: setTimeout(0) in a loop is clamped to 4 ms). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => { port1.close(); resolve(); };
    port2.postMessage(null);
  });
}

export class CameraFrames {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private rgb = new Uint8Array(0);
  private index = 0;
  private lastT = -Infinity;
  /** Video frames presented so far, and the count at the last grab(). */
  private presented = 0;
  private grabbedAt = -1;
  private waiter?: () => void;
  /** The camera's frame interval (from its frame rate; 30 fps when it does not say). */
  private readonly intervalMs: number;

  private constructor(readonly video: HTMLVideoElement, private readonly stream: MediaStream) {
    this.canvas = document.createElement('canvas');
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d canvas context');
    this.ctx = ctx;
    this.intervalMs = 1000 / (stream.getVideoTracks()[0]?.getSettings().frameRate || 30);
    // Count every presented frame, so that a page slower than the camera never waits for one.
    const onFrame = () => {
      this.presented++;
      const w = this.waiter;
      this.waiter = undefined;
      w?.();
      if (this.stream.active) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  /** Ask for the camera (rejects with getUserMedia's DOMException: see cameraErrorReport) and start the video. */
  static async open(video: HTMLVideoElement, width: number, height: number): Promise<CameraFrames> {
    if (!navigator.mediaDevices?.getUserMedia) {
      // Only secure contexts (https, localhost) have getUserMedia.
      throw Object.assign(new Error(`this page is not a secure context (${location.origin}); open it as http://localhost or 127.0.0.1`), { name: 'SecurityError' });
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: { ideal: width }, height: { ideal: height } } });
    video.srcObject = stream;
    video.muted = true;
    await video.play();
    while (!video.videoWidth) await new Promise((r) => setTimeout(r, 20));
    return new CameraFrames(video, stream);
  }

  get width(): number { return this.video.videoWidth; }
  get height(): number { return this.video.videoHeight; }

  /**
   * Resolves when the video shows a frame not grabbed yet: at once when one arrived while the page
   * was busy (the newest is taken, those before it are skipped), else at the next one. Frame
   * callbacks run only when the page renders, which inference on the main thread delays: so when
   * more than one camera frame interval has passed since the last grab, a new frame is there.
   */
  nextFrame(): Promise<void> {
    // Still a task boundary, so the page renders the video and overlay and answers events between frames.
    if (this.presented > this.grabbedAt || performance.now() - this.lastT >= this.intervalMs) return yieldToPage();
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  /** The current video frame as RGB bytes. The buffer is reused: valid until the next grab(). */
  grab(): Frame {
    this.grabbedAt = this.presented;
    const w = this.video.videoWidth, h = this.video.videoHeight;
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    this.ctx.drawImage(this.video, 0, 0, w, h);
    const rgba = this.ctx.getImageData(0, 0, w, h).data;
    if (this.rgb.length !== w * h * 3) this.rgb = new Uint8Array(w * h * 3);
    const rgb = this.rgb;
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
    // The tracker needs strictly increasing time (video mode).
    const t = Math.max(performance.now(), this.lastT + 0.001);
    this.lastT = t;
    return { index: this.index++, tMs: t, width: w, height: h, rgb };
  }

  close(): void {
    for (const track of this.stream.getTracks()) track.stop();
  }
}
