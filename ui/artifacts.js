// A tool page's artifact downloads: one button per entry of the catalogue's `tool.artifacts`
// (fea's solver deck, docs/fea.md §5), checked like a run, produced without running the tool and
// saved like every other export.

import { el } from './dom.js';
import { downloadBlob } from './export.js';
import { toolArtifact } from './transport.js';

/** "Solver deck (.inp)" → "Download solver deck (.inp)". */
function buttonLabel(title) {
  return `Download ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
}

/**
 * Adds one download button per artifact of `tool` to `form` (from buildForm). `prepare(params)`
 * applies the picked model profile as Run does; `say(text)` reports the outcome.
 */
export function addArtifactDownloads(form, tool, { prepare, say }) {
  for (const artifact of tool.artifacts ?? []) {
    const button = el('button', { type: 'button', id: `download-${artifact.name}`, 'data-artifact': artifact.name },
      buttonLabel(artifact.title));
    button.addEventListener('click', () => {
      const params = form.checkedParams();
      if (!params) return;
      button.disabled = true;
      toolArtifact(tool.id, artifact.name, prepare(params))
        .then(async ({ blob, fileName }) => {
          const name = fileName ?? artifact.file_name;
          downloadBlob(blob, name);
          const lines = artifact.media_type.startsWith('text/')
            ? ` (${(await blob.text()).split('\n').length} lines)` : '';
          say(`${artifact.title} written: ${name}${lines}.`);
        })
        .catch((e) => form.showServerError(e))
        .finally(() => { button.disabled = false; });
    });
    form.addAction(button);
  }
}
