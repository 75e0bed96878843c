// Lists of objects (schema kind `object_list`, e.g. `frfs: [{path, csv_text, rig_file,
// excitation_floor}, …]`): a fieldset per entry with the item's fields, Add / Remove buttons.
// Element ids follow the form's contract with the entry index in the key:
// `param-frfs[0].excitation_floor`, `error-frfs[0].excitation_floor`, the entry's own message
// `error-frfs[0]`, buttons `add-frfs` and `remove-frfs[1]`. An empty field of an entry is not
// sent (the tool applies its per-entry default, e.g. excitation floor = position).

import { el } from './dom.js';
import { hintText, parseValue, valueText } from './validate.js';

const ID_ATTRS = ['id', 'for', 'name', 'aria-describedby', 'data-key', 'aria-label'];

function getPath(obj, path) {
  return path.split('.').reduce((o, part) => o?.[part], obj);
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

/**
 * The widget of list spec `spec`; `field(spec)` renders one field of the form (reused for the
 * entries' fields with keys `list[i].key`). Returns `{element, read(errors), fill(value)}`.
 */
export function objectList(spec, field) {
  const { item, min_len: minLen, max_len: maxLen } = spec.kind;
  const entries = el('div', { class: 'object-list-entries' });
  const add = el('button', { type: 'button', id: `add-${spec.key}` }, `Add ${spec.label.toLowerCase()} entry`);
  const element = el('fieldset', { class: 'param-group object-list', 'data-key': spec.key }, [
    el('legend', {}, spec.label),
    el('p', { class: 'hint', id: `hint-${spec.key}` },
      [hintText(spec), spec.description].filter(Boolean).join(' — ')),
    entries,
    el('div', { class: 'actions' }, [add]),
    el('p', { class: 'field-error', id: `error-${spec.key}`, 'aria-live': 'polite' }),
  ]);
  const prefix = (i) => `${spec.key}[${i}]`;
  const control = (entry, i, key) => entry.querySelector(`[id="param-${CSS.escape(`${prefix(i)}.${key}`)}"]`);

  function setControl(c, value) {
    if (c.type === 'checkbox') c.checked = value === true;
    else c.value = valueText(value);
  }

  function entry(value, i) {
    const remove = el('button', { type: 'button', id: `remove-${prefix(i)}`, class: 'object-list-remove' }, 'Remove');
    const set = el('fieldset', { class: 'object-list-entry', 'data-index': i }, [
      el('legend', {}, [`${spec.label} ${i + 1} `, remove]),
      el('div', { class: 'fields' }, item.map((s) => field({ ...s, key: `${prefix(i)}.${s.key}` }))),
      el('p', { class: 'field-error', id: `error-${prefix(i)}`, 'aria-live': 'polite' }),
    ]);
    if (value) {
      for (const s of item) {
        const v = getPath(value, s.key);
        setControl(control(set, i, s.key), v === undefined ? null : v);
      }
    }
    remove.addEventListener('click', () => {
      set.remove();
      renumber();
    });
    return set;
  }

  /** Re-keys every entry after a removal so that ids stay `list[0..n)`. */
  function renumber() {
    const sets = [...entries.children];
    sets.forEach((set, i) => {
      const old = `${spec.key}[${set.dataset.index}]`;
      if (Number(set.dataset.index) !== i) {
        const now = prefix(i);
        for (const node of [set, ...set.querySelectorAll('*')]) {
          for (const attr of ID_ATTRS) {
            const v = node.getAttribute(attr);
            if (v && v.includes(old)) node.setAttribute(attr, v.replaceAll(old, now));
          }
        }
        set.dataset.index = i;
        set.querySelector('legend').firstChild.textContent = `${spec.label} ${i + 1} `;
      }
    });
    for (const b of entries.querySelectorAll('.object-list-remove')) b.disabled = sets.length <= minLen;
    add.disabled = sets.length >= maxLen;
  }

  add.addEventListener('click', () => {
    entries.append(entry(null, entries.children.length));
    renumber();
  });

  function fill(value) {
    const list = Array.isArray(value) ? value : [];
    entries.replaceChildren(...list.map((v, i) => entry(v, i)));
    renumber();
  }
  fill(spec.default);

  /** The list's value; messages of bad fields go into `errors[key]`. Empty fields are omitted. */
  function read(errors) {
    return [...entries.children].map((set, i) => {
      const obj = {};
      for (const s of item) {
        const key = `${prefix(i)}.${s.key}`;
        const c = control(set, i, s.key);
        if (c.type === 'checkbox') {
          setPath(obj, s.key, c.checked);
          continue;
        }
        if (c.validity?.badInput) {
          errors[key] = `expected ${s.kind.type === 'integer' ? 'an integer' : 'a finite number'}`;
          continue;
        }
        if (c.value.trim() === '') continue;
        const parsed = parseValue(s, c.value);
        if ('error' in parsed) errors[key] = parsed.error;
        else if (parsed.value !== null) setPath(obj, s.key, parsed.value);
      }
      return obj;
    });
  }

  return { element, read, fill };
}
