// The `fea` page's extra action: download the CalculiX deck the form's parameters give
// (fea.md §5 "Deck export"), checked like a run, without running the solver.

import { el } from './dom.js';
import { downloadBlob } from './export.js';
import { feaDeck } from './transport.js';

export const DECK_FILE = 'cristallo_frame.inp';

/** Adds "Download deck (.inp)" to `form` (from buildForm); `say(text)` reports the outcome. */
export function addDeckDownload(form, say) {
  const button = el('button', { type: 'button', id: 'download-deck' }, 'Download deck (.inp)');
  button.addEventListener('click', () => {
    const params = form.checkedParams();
    if (!params) return;
    button.disabled = true;
    feaDeck(params)
      .then((text) => {
        downloadBlob(new Blob([text], { type: 'text/plain' }), DECK_FILE);
        say(`Deck written: ${DECK_FILE} (${text.split('\n').length} lines).`);
      })
      .catch((e) => form.showServerError(e))
      .finally(() => { button.disabled = false; });
  });
  form.addAction(button);
}
