import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { formatCameraTable, listCameras, parseFfmpegFormats, parseRpicamCameras, type CommandRunner } from '../../../device/sources/list-cameras.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-cameras-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// Recorded `ffmpeg -hide_banner -f v4l2 -list_formats all -i <dev>` output of a USB webcam, its
// metadata node, a CSI camera (stepwise sizes) and a device another user owns.
const C920 = `[video4linux2,v4l2 @ 0x55c3f0b0e5c0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 160x90 320x240 1280x720 1920x1080
[video4linux2,v4l2 @ 0x55c3f0b0e5c0] Compressed:       mjpeg :          Motion-JPEG : 640x480 1280x720 1920x1080
/dev/video0: Immediate exit requested
`;
const METADATA = `[video4linux2,v4l2 @ 0x5613a2d3e4c0] Not a video capture device.
/dev/video1: No such device
`;
const UNICAM = `[video4linux2,v4l2 @ 0x558d] Raw       :     yuyv422 :           YUYV 4:2:2 : {32-3280, 2}x{32-2464, 2}
`;
const DENIED = `[video4linux2,v4l2 @ 0x55ab] Cannot open video device /dev/video3: Permission denied
/dev/video3: Permission denied
`;
const RPICAM = `Available cameras
-----------------
0 : imx708 [4608x2592 10-bit RGGB] (/base/soc/i2c0mux/i2c@1/imx708@1a)
    Modes: 'SRGGB10_CSI2P' : 1536x864 [120.13 fps - (768, 432)/3072x1728 crop]
                             2304x1296 [56.03 fps - (0, 0)/4608x2592 crop]
`;

test('ffmpeg format lines give each format with its sizes; a stepwise range stays one entry', (t) => {
  t.deepEqual(parseFfmpegFormats(C920), [
    { kind: 'raw', format: 'yuyv422', description: 'YUYV 4:2:2', sizes: ['640x480', '160x90', '320x240', '1280x720', '1920x1080'] },
    { kind: 'compressed', format: 'mjpeg', description: 'Motion-JPEG', sizes: ['640x480', '1280x720', '1920x1080'] },
  ]);
  t.deepEqual(parseFfmpegFormats(UNICAM)[0].sizes, ['{32-3280, 2}x{32-2464, 2}']);
  t.deepEqual(parseFfmpegFormats(METADATA), []);
});

test('rpicam-hello --list-cameras gives each libcamera camera, its source spec and mode sizes', (t) => {
  const [cam] = parseRpicamCameras(RPICAM);
  t.is(cam.device, 'rpicam:0');
  t.is(cam.source, 'rpicam');
  t.is(cam.name, 'imx708 [4608x2592 10-bit RGGB]');
  t.deepEqual(cam.formats[0].sizes, ['1536x864', '2304x1296']);
});

test('cameras lists /dev/video* in number order with sysfs names, the --source to use, and why the others cannot be used', async (t) => {
  const dev = join(dir, 'dev'), sys = join(dir, 'sys');
  const outputs: Record<string, string> = { video0: C920, video1: METADATA, video2: UNICAM, video10: DENIED };
  for (const [n, name] of [['video0', 'HD Pro Webcam C920'], ['video1', 'HD Pro Webcam C920'], ['video2', 'unicam-image'], ['video10', 'bcm2835-isp']]) {
    mkdirSync(join(sys, n), { recursive: true });
    writeFileSync(join(sys, n, 'name'), `${name}\n`);
  }
  mkdirSync(dev, { recursive: true });
  for (const n of Object.keys(outputs)) writeFileSync(join(dev, n), '');
  writeFileSync(join(dev, 'null'), '');
  const calls: string[][] = [];
  const runCommand: CommandRunner = async (cmd, args) => {
    calls.push([cmd, ...args]);
    if (cmd === 'rpicam-hello') return { code: 0, stdout: RPICAM, stderr: '' };
    const device = args[args.length - 1];
    return { code: 1, stdout: '', stderr: outputs[device.split('/').pop()!] };
  };
  const cameras = await listCameras({ devDir: dev, sysDir: sys, runCommand });
  t.deepEqual(cameras.map((c) => c.device), [join(dev, 'video0'), join(dev, 'video1'), join(dev, 'video2'), join(dev, 'video10'), 'rpicam:0']);
  t.deepEqual(cameras.map((c) => c.usable), [true, false, true, false, true]);
  t.is(cameras[0].name, 'HD Pro Webcam C920');
  t.is(cameras[0].source, `v4l2:${join(dev, 'video0')}`);
  t.regex(cameras[1].problem!, /not a capture device/);
  t.regex(cameras[3].problem!, /permission denied: add the user to the video group/);
  t.true(calls.some((c) => c[0] === 'ffmpeg' && c.includes('-list_formats')));
  const table = formatCameraTable(cameras);
  t.regex(table, /^DEVICE\s+NAME\s+USE\s+FORMATS AND SIZES$/m);
  t.regex(table, /video0\s+HD Pro Webcam C920\s+--source v4l2:\S+video0\s+yuyv422 640x480 160x90/);
  t.regex(table, /rpicam:0\s+imx708 .*--source rpicam/);
});

test('cameras says ffmpeg is missing rather than calling a camera unusable, and finds nothing in an empty /dev', async (t) => {
  const dev = join(dir, 'dev-missing');
  mkdirSync(dev, { recursive: true });
  writeFileSync(join(dev, 'video0'), '');
  const missing: CommandRunner = async () => ({ code: null, stdout: '', stderr: '', missing: true });
  const [cam] = await listCameras({ devDir: dev, sysDir: join(dir, 'nosys'), runCommand: missing });
  t.false(cam.usable);
  t.regex(cam.problem!, /ffmpeg is not installed.*apt-get install ffmpeg/);
  t.deepEqual(await listCameras({ devDir: join(dir, 'empty-nothing'), runCommand: missing }), []);
});
