// The tool extension map: what a tool's page adds to the generic form and result, by tool id.
// tool.js and result.js consult it instead of naming tools; a new tool with extras adds one entry.
// Artifact downloads need no entry: tool.js offers every artifact of the catalogue (artifacts.js).
//
// An extension is an object with optional hooks:
// - `form(form, ctx)`: after the form is built; `form` is buildForm's object, `ctx` holds
//   `say(text)` (the status line), `extras` (a panel below the result) and `prepare(params)`
//   (applies the picked model profile, as Run does). May return a function run when the page
//   is left.
// - `result(result, runId)`: an element shown under the export bar of a result (in display
//   units), or null; `runId` is the stored run (null when not recorded).

import { addBothCurves } from './cbcboth.js';
import { profileSaveBox } from './profilesave.js';

const EXTENSIONS = {
  // The exact S-curve and FRC through the form's operating point, below the result (docs/cbc.md §10).
  cbc: { form: (form, { extras, prepare }) => addBothCurves(form, extras, prepare) },
  // "Save as profile" under the identified model (docs/measured.md §7).
  'model-update': { result: (result, runId) => profileSaveBox(result, runId) },
};

/** The extension of tool `toolId`; a tool without one gets `{}` (no hooks). */
export function extensionOf(toolId) {
  return Object.hasOwn(EXTENSIONS, toolId) ? EXTENSIONS[toolId] : {};
}
