import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sha256 } from '../../core/sha256.ts';
import { projectRoot } from '../support/shared-data.ts';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff);

test('the plain-TypeScript SHA-256 matches node:crypto at every padding edge, fed in pieces', (t) => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65537]) {
    const b = bytes(n);
    const h = new Sha256();
    h.update(b.subarray(0, n >> 2)); h.update(b.subarray(n >> 2, n >> 1)); h.update(b.subarray(n >> 1));
    t.is(h.digestHex(), createHash('sha256').update(b).digest('hex'), `${n} bytes`);
  }
});

test('the SHA-256 of the shipped student matches node:crypto', (t) => {
  const file = readFileSync(join(projectRoot, 'samples', 'models', 'student.tflite'));
  t.is(new Sha256().update(file).digestHex(), createHash('sha256').update(file).digest('hex'));
});
