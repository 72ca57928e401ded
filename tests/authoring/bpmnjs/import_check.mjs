// Import BPMN files the way bpmn-js does (bpmn-moddle, then BpmnTreeWalker over every diagram) and print every
// warning and error; usage: node --import ./register.mjs import_check.mjs NODE_MODULES FILE...
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, ...files] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(path.join(modules, p)).href);
const { BpmnModdle } = await load('bpmn-moddle/dist/index.js');
const { default: BpmnTreeWalker } = await load('bpmn-js/lib/import/BpmnTreeWalker.js');

let bad = 0;
for (const file of files) {
  const problems = [];
  const { rootElement, warnings } = await new BpmnModdle().fromXML(fs.readFileSync(file, 'utf8'), 'bpmn:Definitions');
  problems.push(...warnings.map((w) => 'moddle: ' + w.message));
  const handler = {
    element: (element) => element.id,
    root: (element) => element.id,
    error: (message) => problems.push('import: ' + message),
  };
  for (const diagram of rootElement.diagrams || []) {
    try {
      new BpmnTreeWalker(handler).handleDefinitions(rootElement, diagram);
    } catch (error) {
      problems.push('import failed: ' + error.message);
    }
  }
  if (problems.length) {
    bad += 1;
    console.log(file + '\n  ' + problems.join('\n  '));
  }
}
console.log(bad ? `${bad} file(s) with problems` : 'all clean');
