// A form generated from a tool's parameter schema. Element ids are a contract with the
// end-to-end tests: `param-{key}`, `error-{key}` (dotted keys as they are), `form-error`, `run`.

import { el } from './dom.js';
import { paramLabel } from './format.js';
import { objectList } from './objectlist.js';
import { defaultText, hintText, parseValue, valueText } from './validate.js';

function control(spec) {
  const id = `param-${spec.key}`;
  const kind = spec.kind;
  const common = { id, name: spec.key, 'aria-describedby': `hint-${spec.key} error-${spec.key}` };
  switch (kind.type) {
    case 'boolean':
      return el('input', { ...common, type: 'checkbox', checked: spec.default === true });
    case 'choice': {
      const none = spec.default === null ? [el('option', { value: '', selected: true }, '— none —')] : [];
      return el('select', common, [...none, ...kind.options.map((o) =>
        el('option', { value: o, selected: o === spec.default }, o))]);
    }
    case 'integer':
      return el('input', {
        ...common, type: 'number', step: '1', min: kind.min, max: kind.max,
        inputmode: 'numeric', value: defaultText(spec),
      });
    case 'number':
      return el('input', {
        ...common, type: 'number', step: 'any', inputmode: 'decimal', value: defaultText(spec),
        placeholder: kind.nullable ? 'auto' : null,
      });
    case 'number_list':
      return el('input', {
        ...common, type: 'text', inputmode: 'decimal', spellcheck: 'false', autocomplete: 'off',
        value: defaultText(spec), placeholder: kind.nullable ? 'auto' : 'e.g. 1, 2, 3',
      });
    default:
      if (spec.file) {
        return el('textarea', {
          ...common, rows: 4, spellcheck: 'false', autocomplete: 'off', class: 'file-text',
          placeholder: 'Choose a file above, or paste its content here',
        }, defaultText(spec));
      }
      return el('input', {
        ...common, type: 'text', value: defaultText(spec),
        minlength: kind.min_len, maxlength: kind.max_len,
        // Ids of saved profiles are offered from `datalist#saved-profiles` (profilepick.js).
        list: spec.key.endsWith('profile_id') ? 'saved-profiles' : null,
      });
  }
}

/** Size in readable units. */
function bytesText(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A file picker feeding a text parameter: the chosen file's content goes into the text area
 * (`param-{key}`), so the run sends text in the app and in the browser alike. The picker is
 * `file-{key}`, its status `file-status-{key}`.
 */
function filePicker(spec, textArea) {
  const picker = el('input', {
    type: 'file', id: `file-${spec.key}`, accept: spec.file,
    'aria-label': `${paramLabel(spec)}: choose a file`,
  });
  const status = el('p', { class: 'file-status', id: `file-status-${spec.key}`, 'aria-live': 'polite' });
  const clear = el('button', { type: 'button', class: 'file-clear', id: `file-clear-${spec.key}` }, 'Clear');
  picker.addEventListener('change', () => {
    const file = picker.files?.[0];
    if (!file) return;
    const max = spec.kind.max_len;
    if (file.size > max) {
      status.textContent = `${file.name} is ${bytesText(file.size)}; at most ${bytesText(max)} can be read.`;
      status.dataset.state = 'error';
      picker.value = '';
      return;
    }
    status.textContent = `Reading ${file.name}…`;
    status.dataset.state = 'reading';
    const reader = new FileReader();
    reader.onload = () => {
      textArea.value = String(reader.result);
      textArea.dispatchEvent(new Event('input', { bubbles: true }));
      status.textContent = `${file.name} (${bytesText(file.size)}) loaded.`;
      status.dataset.state = 'loaded';
      status.dataset.file = file.name;
    };
    reader.onerror = () => {
      status.textContent = `${file.name} could not be read: ${reader.error?.message ?? 'unknown error'}`;
      status.dataset.state = 'error';
    };
    reader.readAsText(file);
  });
  clear.addEventListener('click', () => {
    textArea.value = '';
    picker.value = '';
    status.textContent = '';
    delete status.dataset.state;
  });
  return el('div', { class: 'file-row' }, [picker, clear, status]);
}

function field(spec) {
  const input = control(spec);
  const label = el('label', { for: input.id }, paramLabel(spec));
  const picker = spec.file ? filePicker(spec, input) : null;
  const hint = [hintText(spec), spec.description].filter(Boolean).join(' — ');
  const isCheck = spec.kind.type === 'boolean';
  return el('div', { class: `field${isCheck ? ' field-check' : ''}`, 'data-key': spec.key }, [
    isCheck ? el('div', { class: 'check-row' }, [input, label]) : label,
    picker,
    isCheck ? null : input,
    el('p', { class: 'hint', id: `hint-${spec.key}` }, hint),
    el('p', { class: 'field-error', id: `error-${spec.key}`, 'aria-live': 'polite' }),
  ]);
}

/** Top-level keys in one group, `profile.*` keys in a "Profile" group, in schema order. */
function groups(specs) {
  const byPrefix = new Map();
  for (const spec of specs) {
    const dot = spec.key.lastIndexOf('.');
    const prefix = dot < 0 ? '' : spec.key.slice(0, dot);
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, []);
    byPrefix.get(prefix).push(spec);
  }
  return byPrefix;
}

function legendText(prefix) {
  const text = prefix.split('.').pop().replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function setPath(obj, path, value) {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    cur[part] ??= {};
    cur = cur[part];
  }
  cur[parts.at(-1)] = value;
}

function rawValue(input) {
  if (input.type === 'checkbox') return input.checked;
  // A number input holding text the browser cannot parse reports an empty value: null here.
  return input.validity?.badInput ? null : input.value;
}

/**
 * Builds the form. On submit, `onRun(params)` gets the nested parameter object when every
 * field passes the client-side checks, else `onInvalid(errors)` is called and nothing is sent.
 */
export function buildForm(specs, { onRun, onInvalid }) {
  const formError = el('div', { id: 'form-error', class: 'form-error', role: 'alert' });
  const run = el('button', { type: 'submit', id: 'run', class: 'primary' }, 'Run');
  const reset = el('button', { type: 'button', id: 'reset-defaults' }, 'Reset to defaults');
  // Lists of objects get their own fieldsets (objectlist.js); the other keys are grouped.
  const lists = new Map(specs.filter((s) => s.kind.type === 'object_list')
    .map((s) => [s.key, objectList(s, field)]));
  const plain = specs.filter((s) => !lists.has(s.key));
  const sets = [...[...lists.values()].map((l) => l.element), ...[...groups(plain)].map(([prefix, members]) =>
    el('fieldset', { class: 'param-group' }, [
      el('legend', {}, prefix ? legendText(prefix) : 'Parameters'),
      el('div', { class: 'fields' }, members.map(field)),
    ]))];
  const form = el('form', { class: 'tool-form', novalidate: true }, [
    ...sets,
    el('div', { class: 'form-footer' }, [formError, el('div', { class: 'actions' }, [run, reset])]),
  ]);
  const input = (key) => form.querySelector(`[id="param-${CSS.escape(key)}"]`);

  function clearErrors() {
    formError.replaceChildren();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  }

  function showFieldError(key, message) {
    const target = form.querySelector(`[id="error-${CSS.escape(key)}"]`);
    if (!target) return;
    target.textContent = message;
    const control = input(key);
    if (message) control?.setAttribute('aria-invalid', 'true');
    else control?.removeAttribute('aria-invalid');
  }

  /** Shows `{key: message}` next to the fields and a summary above the Run button. */
  function showErrors(errors, summary) {
    clearErrors();
    const lines = [];
    for (const [key, message] of Object.entries(errors)) {
      const spec = specs.find((s) => s.key === key);
      showFieldError(key, message);
      lines.push(spec ? `${paramLabel(spec)}: ${message}` : `${key}: ${message}`);
    }
    formError.append(el('p', {}, summary ?? 'Please correct the highlighted fields.'));
    if (lines.length > 1 || (lines.length === 1 && !summary)) {
      formError.append(el('ul', {}, lines.map((l) => el('li', {}, l))));
    }
    const first = Object.keys(errors).map(input).find(Boolean);
    first?.focus();
  }

  function read() {
    const params = {};
    const errors = {};
    for (const spec of specs) {
      if (lists.has(spec.key)) {
        setPath(params, spec.key, lists.get(spec.key).read(errors));
        continue;
      }
      const control = input(spec.key);
      // A disabled control is not sent (e.g. Profile fields showing a saved profile).
      if (control.disabled) continue;
      const raw = rawValue(control);
      const parsed = raw === null
        ? { error: `expected ${spec.kind.type === 'integer' ? 'an integer' : 'a finite number'}` }
        : parseValue(spec, raw);
      if ('error' in parsed) errors[spec.key] = parsed.error;
      else setPath(params, spec.key, parsed.value);
    }
    return { params, errors };
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { params, errors } = read();
    if (Object.keys(errors).length) {
      showErrors(errors);
      onInvalid(errors);
      return;
    }
    clearErrors();
    onRun(params);
  });

  function setControl(spec, value) {
    if (lists.has(spec.key)) {
      lists.get(spec.key).fill(value);
      return;
    }
    const c = input(spec.key);
    if (c.type === 'checkbox') c.checked = value === true;
    else c.value = valueText(value);
  }

  reset.addEventListener('click', () => {
    for (const spec of specs) setControl(spec, spec.default);
    clearErrors();
  });

  return {
    form,
    /** Shows a backend error `{message, field}`. */
    showServerError(error) {
      const spec = error.field && specs.find((s) => s.key === error.field);
      // Fields inside lists of objects (`frfs[1].excitation_floor`) have no spec of their own.
      const shown = error.field && form.querySelector(`[id="error-${CSS.escape(error.field)}"]`);
      if (spec || shown) {
        // The server's message reads "field: what is wrong".
        const prefix = `${error.field}: `;
        const message = error.message.startsWith(prefix)
          ? error.message.slice(prefix.length) : error.message;
        showErrors({ [error.field]: message },
          `The server rejected ${spec ? paramLabel(spec) : error.field}: ${message}`);
      } else {
        clearErrors();
        formError.append(el('p', {}, error.message));
      }
    },
    /** Sets the controls from a nested parameter object; keys it lacks keep their value. */
    fill(params) {
      for (const spec of specs) {
        const value = spec.key.split('.').reduce((obj, part) => obj?.[part], params);
        if (value !== undefined) setControl(spec, value);
      }
      clearErrors();
    },
    /** The checked parameters for an action other than Run; null (errors shown) when invalid. */
    checkedParams() {
      const { params, errors } = read();
      if (Object.keys(errors).length) {
        showErrors(errors);
        return null;
      }
      clearErrors();
      return params;
    },
    /** Adds a button next to Run and Reset. */
    addAction(button) {
      run.parentElement.append(button);
    },
    setBusy(busy) {
      run.disabled = busy;
      run.textContent = busy ? 'Running…' : 'Run';
    },
  };
}
