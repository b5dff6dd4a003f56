/**
 * `agekit cameras`: lists /dev/video* with names, formats and sizes, and the --source that reads
 * each (plus libcamera cameras on a Raspberry Pi). stdout: the table, or JSON with --json.
 * Exit 1 when no usable camera is found, with what to check on stderr.
 *
 * @example
 * ./agekit-device cameras
 */
import { Command } from 'commander';
import { SourceError } from '../../core/errors.ts';
import { formatCameraTable, listCameras } from '../sources/list-cameras.ts';

export function registerCameras(program: Command): void {
  program.command('cameras')
    .description('list the cameras (/dev/video*, libcamera) with names, formats, sizes and the --source to use')
    .option('--json', 'print JSON instead of a table', false)
    .action(async function (this: Command) {
      const f = this.opts<{ json: boolean }>();
      const cameras = await listCameras();
      if (cameras.length) process.stdout.write(f.json ? JSON.stringify(cameras, null, 2) + '\n' : formatCameraTable(cameras) + '\n');
      else if (f.json) process.stdout.write('[]\n');
      const usable = cameras.filter((c) => c.usable).length;
      if (!usable) {
        throw new SourceError(cameras.length ? `none of the ${cameras.length} video devices can be used as a camera (see the USE column)` : 'no camera found (no /dev/video* device, and no libcamera camera)', {
          where: 'agekit cameras',
          hint: 'plug in a USB camera (then: dmesg | tail), or enable the camera module (a Raspberry Pi camera is read with --source rpicam; apt-get install rpicam-apps); in a container, pass the device through (--device /dev/video0)',
        });
      }
      process.stderr.write(`agekit cameras: ${usable} usable camera${usable > 1 ? 's' : ''}; run: agekit-device run --source ${cameras.find((c) => c.usable)!.source}\n`);
    });
}
