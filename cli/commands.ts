/**
 * The table of command groups the host CLI offers. Each area exports one `registerXxx(program)`;
 * adding a command is one import and one line here.
 */
import type { Command } from 'commander';
import { registerRelabel } from './relabel.ts';
import { registerTeachers } from './teachers.ts';
import { registerCompare } from './compare.ts';
import { registerNets } from './nets.ts';
import { registerData } from './data.ts';
import { registerTrain } from './train.ts';
import { registerEval } from './eval.ts';
import { registerPredict } from './predict.ts';
import { registerConverterCommands } from './convert.ts';
import { registerDeviceCommands } from '../device/cli/device-commands.ts';
import { registerCorrupt } from './corrupt.ts';
import { registerFinetune } from './finetune.ts';
import { registerCalibrate } from './calibrate.ts';

type Register = (program: Command) => void;

const registrations: Register[] = [
  registerTeachers,
  registerRelabel,
  registerCompare,
  registerNets,
  registerData,
  registerTrain,
  registerEval,
  registerPredict,
  registerConverterCommands,
  registerDeviceCommands,
  registerCorrupt,
  registerFinetune,
  registerCalibrate,
];

export function registerHostCommands(program: Command): void {
  for (const register of registrations) register(program);
}
