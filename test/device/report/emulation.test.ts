import test from 'ava';
import { detectEmulation, formatMachine, type MachineInfo } from '../../../device/report/machine-info.ts';

// /proc/cpuinfo as an arm64 process sees it under qemu-user on an x86 host (recorded in the
// Debian arm64 root of the bundle test), and as it reads on a Raspberry Pi 4.
const X86_HOST = `processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 26
model name\t: AMD EPYC
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep
`;
const PI4 = `processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU architecture: 8
CPU part\t: 0xd08
`;

test('an arm64 process reading an x86 /proc/cpuinfo is emulated; on a real Pi, or x86 on x86, it is not', (t) => {
  t.regex(detectEmulation(X86_HOST, 'arm64')!, /arm64 process on an x86 CPU \(AMD EPYC\): emulated/);
  t.is(detectEmulation(PI4, 'arm64'), undefined);
  t.is(detectEmulation(X86_HOST, 'x64'), undefined);
  t.regex(detectEmulation(PI4, 'x64')!, /x64 process on an ARM CPU/);
  t.is(detectEmulation(undefined, 'arm64'), undefined);
});

test('the machine line says plainly that speeds under emulation mean nothing', (t) => {
  const m: MachineInfo = { cpu: 'unknown', cores: 2, arch: 'arm64', os: 'Debian', memory_gb: 1, node: 'v20', emulated: detectEmulation(X86_HOST, 'arm64') };
  t.regex(formatMachine(m), /EMULATED \(arm64 process on an x86 CPU.*\): speeds measured here say nothing about real hardware$/);
});
