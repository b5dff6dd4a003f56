import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/shared-data.ts';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
const examples = join(projectRoot, 'test', 'package', 'examples');

for (const file of readdirSync(examples).filter((f) => f.endsWith('.ts'))) {
  test(`README quotes test/package/examples/${file} as it is (the file the package test type-checks)`, (t) => {
    const code = readFileSync(join(examples, file), 'utf8').trimEnd();
    t.true(readme.includes('```ts\n' + code + '\n```'), `README.md does not quote ${file} verbatim: copy the file into its \`\`\`ts block`);
  });
}

test('every public entry has its example', (t) => {
  const imports = readdirSync(examples).map((f) => readFileSync(join(examples, f), 'utf8')).join('\n');
  for (const entry of ['agekit/device', 'agekit/host', 'agekit/converters', 'agekit/calibration']) t.true(imports.includes(`from '${entry}'`), entry);
});
