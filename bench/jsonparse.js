// What a typical JavaScript action does to read an image from a Terraform state: read the whole
// file into a string, JSON.parse it, walk to the resource. The comparison point for the action.
// Usage: node bench/jsonparse.js STATE ADDRESS   e.g. module.svc_1.kubernetes_deployment_v1.app
'use strict';
const fs = require('node:fs');

const [file, address] = process.argv.slice(2);
// module.a.module.b.TYPE.NAME -> module "module.a.module.b", type, name (managed resources only).
const parts = address.split('.');
const name = parts.pop();
const type = parts.pop();
const modulePath = parts.join('.');

const state = JSON.parse(fs.readFileSync(file, 'utf8'));
const resource = state.resources.find(
  (r) => (r.module || '') === modulePath && r.mode === 'managed' && r.type === type && r.name === name,
);
if (!resource) {
  process.stderr.write(`${address} not found\n`);
  process.exit(1);
}
const image = resource.instances[0].attributes.spec[0].template[0].spec[0].container[0].image;
process.stdout.write(`image=${image}\n`);
