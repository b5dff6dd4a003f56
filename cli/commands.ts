/**
 * The table of the host CLI's commands. Each area exports one `registerXxx(program)`; adding a
 * command is one line here. Modules load only for the command being run, so `agekit --version`
 * and `agekit run --help` do not wait for tfjs, sharp or the TFLite runtime to load.
 */
import type { Command } from 'commander';

type Register = (program: Command) => void;

interface CommandModule {
  /** Top-level command names the module registers. */
  names: string[];
  load(): Promise<Register>;
}

const COMMAND_MODULES: CommandModule[] = [
  { names: ['teachers'], load: async () => (await import('./teachers.ts')).registerTeachers },
  { names: ['relabel'], load: async () => (await import('./relabel.ts')).registerRelabel },
  { names: ['compare'], load: async () => (await import('./compare.ts')).registerCompare },
  { names: ['nets'], load: async () => (await import('./nets.ts')).registerNets },
  { names: ['data'], load: async () => (await import('./data.ts')).registerData },
  { names: ['train'], load: async () => (await import('./train.ts')).registerTrain },
  { names: ['eval'], load: async () => (await import('./eval.ts')).registerEval },
  { names: ['predict'], load: async () => (await import('./predict.ts')).registerPredict },
  { names: ['convert', 'inspect'], load: async () => (await import('./convert.ts')).registerConverterCommands },
  { names: ['run'], load: async () => (await import('../device/cli/run.ts')).registerRun },
  { names: ['bench'], load: async () => (await import('../device/cli/bench.ts')).registerBench },
  { names: ['cameras'], load: async () => (await import('../device/cli/cameras.ts')).registerCameras },
  { names: ['check'], load: async () => (await import('../device/cli/check.ts')).registerCheck },
  { names: ['bundle'], load: async () => (await import('../device/cli/bundle.ts')).registerBundle },
  { names: ['kiosk'], load: async () => (await import('../device/cli/kiosk.ts')).registerKiosk },
  { names: ['corrupt'], load: async () => (await import('./corrupt.ts')).registerCorrupt },
  { names: ['finetune'], load: async () => (await import('./finetune.ts')).registerFinetune },
  { names: ['calibrate'], load: async () => (await import('./calibrate.ts')).registerCalibrate },
  { names: ['boxes'], load: async () => (await import('./boxes.ts')).registerBoxes },
];

/** Every command name, in help order. */
export const COMMAND_NAMES: readonly string[] = COMMAND_MODULES.flatMap((m) => m.names);

/**
 * Register the commands `argv` needs: only the named command's module when the first argument
 * names one, none for a bare --version, else all of them (the help lists every command).
 */
export async function registerHostCommands(program: Command, argv?: string[]): Promise<void> {
  const args = argv?.slice(2) ?? [];
  const first = args.find((a) => !a.startsWith('-'));
  const named = first !== undefined ? COMMAND_MODULES.find((m) => m.names.includes(first)) : undefined;
  const onlyVersion = first === undefined && args.length > 0 && args.every((a) => a === '--version' || a === '-V');
  const modules = named ? [named] : onlyVersion ? [] : COMMAND_MODULES;
  for (const register of await Promise.all(modules.map((m) => m.load()))) register(program);
}
