// Compiles every schema of an OpenAPI document as Prism 5 does when it
// validates (allOf merged, Ajv with its options) and fails on any that does
// not compile: Prism skips such a schema without a word, so the contract
// check would pass answers it never checked. (It did: `nullable: true` with
// null in the enum made every link schema invalid, Prism adding null itself.)
//
//   node tests/contract/prism_schemas.js admin-api/openapi.yaml
'use strict';
const path = require('path');
const npm = path.join(__dirname, '..', 'npm', 'node_modules');
const req = name => require(path.join(npm, name));
const { getHttpOperationsFromSpec } = req('@stoplight/prism-cli/dist/operations');
const Ajv = req('ajv').default;
const addFormats = req('ajv-formats').default;
const mergeAllOf = req('@stoplight/json-schema-merge-allof');

function compile(schema, bundle) {
  const merged = mergeAllOf(schema, { deep: true, ignoreAdditionalProperties: true });
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, allowMatchingProperties: true, strict: false });
  addFormats(ajv);
  ajv.compile({ ...merged, __bundled__: bundle });
}

(async () => {
  const operations = await getHttpOperationsFromSpec(process.argv[2]);
  const failures = [];
  let compiled = 0;
  for (const op of operations) {
    const schemas = [];
    for (const c of (op.request && op.request.body && op.request.body.contents) || []) schemas.push(['request body', c.schema]);
    for (const kind of ['query', 'path', 'headers']) {
      for (const p of (op.request && op.request[kind]) || []) schemas.push([`${kind} ${p.name}`, p.schema]);
    }
    for (const r of op.responses) {
      for (const c of r.contents || []) schemas.push([`${r.code} ${c.mediaType}`, c.schema]);
      for (const h of r.headers || []) schemas.push([`${r.code} header ${h.name}`, h.schema]);
    }
    for (const [where, schema] of schemas) {
      if (!schema) continue;
      try {
        compile(schema, op.__bundled__);
        ++compiled;
      } catch (e) {
        failures.push(`${op.method.toUpperCase()} ${op.path} ${where}: ${e.message}`);
      }
    }
  }
  for (const f of failures) console.error(f);
  console.log(`${compiled} schemas compile as Prism compiles them; ${failures.length} do not`);
  process.exit(failures.length || compiled === 0 ? 1 : 0);
})().catch(e => {
  console.error(e);
  process.exit(2);
});
