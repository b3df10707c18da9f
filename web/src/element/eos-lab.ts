// Entry of the stand-alone element bundle, built to dist/eos-lab.js (one ES module; its
// worker and .wasm are separate files next to it, see docs/embedding.md for why):
//   <script type="module" src="eos-lab.js"></script>
//   <eos-lab lr="0.1" widths="20,20" controls="lr" charts="sharpness,loss"></eos-lab>
// Importing it registers <eos-lab>; each element runs its own engine worker(s).

import { createElementWorker } from './worker-factory';
import { withThreadBudget } from '../engine/threads';
import { EosLabElement, defineEosLab } from './element';

defineEosLab(withThreadBudget(createElementWorker));

export { EosLabElement, defineEosLab };
export { CONTROL_NAMES, HIDE_PARTS, OBSERVED_ATTRIBUTES, parseElementConfig } from './config';
