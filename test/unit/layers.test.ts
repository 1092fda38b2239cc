import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/** Lints one line as if it were a file at `path`, and answers the import-direction errors. */
async function layerErrors(path: string, source: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(`${source}\nexport const used = imported;\n`, { filePath: path });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the direction of imports, enforced by lint', () => {
  it('refuses an import that goes the wrong way, at any depth of a layer', async () => {
    for (const [path, source] of [
      ['functions/core/fixture.ts', "import { dynamo as imported } from '../adapters/aws-clients.ts';"],
      ['functions/core/tasks/fixture.ts', "import { config as imported } from '../../config.ts';"],
      ['functions/adapters/fixture.ts', "import { storeFile as imported } from '../services/file-service.ts';"],
      ['functions/ci/fixture.ts', "import { taskStore as imported } from '../adapters/task-store.ts';"],
      ['functions/worker/fixture.ts', "import { toXml as imported } from '../ci/xml.ts';"],
      ['functions/worker/panorama/fixture.ts', "import { storageOk as imported } from '../../storage/envelope.ts';"],
      ['functions/services/fixture.ts', "import { httpHandler as imported } from '../http/http-handler.ts';"],
      ['functions/http/fixture.ts', "import { picJobs as imported } from '../services/pic-jobs.ts';"],
    ] as const) {
      const errors = await layerErrors(path, source);
      assert.equal(errors.length, 1, `${path}: ${source}`);
      assert.match(errors[0]!, /may import only/);
    }
  });

  it('lets each layer import what it may', async () => {
    for (const [path, source] of [
      ['functions/core/tasks/fixture.ts', "import { conflict as imported } from '../errors.ts';"],
      ['functions/adapters/fixture.ts', "import { tableName as imported } from '../resources.ts';"],
      ['functions/ci/fixture.ts', "import { picJobs as imported } from '../services/pic-jobs.ts';"],
      ['functions/worker/panorama/fixture.ts', "import { objectStore as imported } from '../../adapters/object-store.ts';"],
      ['functions/worker/fixture.ts', "import { renderCallback as imported } from '../callback-forms.ts';"],
    ] as const) {
      assert.deepEqual(await layerErrors(path, source), [], `${path}: ${source}`);
    }
  });
});
