// Client-side mirror of the server's parameter checks (core/src/schema.rs): the same types,
// open/closed bounds and list lengths, with the same wording. The server stays the authority.

import { formatNumber } from './format.js';

/** A bound as written in messages: 1e6 rather than 1000000. */
function boundText(x) {
  return Number.isInteger(x) && Math.abs(x) >= 1e5 ? x.toExponential().replace('+', '') : formatNumber(x);
}

/** "(0, 10]" for a pair of optional bounds `{value, inclusive}`. */
export function rangeText(min, max) {
  const lo = min ? `${min.inclusive ? '[' : '('}${boundText(min.value)}` : '(-inf';
  const hi = max ? `${boundText(max.value)}${max.inclusive ? ']' : ')'}` : 'inf)';
  return `${lo}, ${hi}`;
}

/** The hint shown under a control: valid range and unit, list length, text length. */
export function hintText(spec) {
  const kind = spec.kind;
  const unit = spec.unit ? ` ${spec.unit}` : '';
  switch (kind.type) {
    case 'number':
      if (!kind.min && !kind.max) return kind.nullable ? 'empty = auto' : '';
      return `${rangeText(kind.min, kind.max)}${unit}${kind.nullable ? '; empty = auto' : ''}`;
    case 'integer':
      return `integer ${kind.min} to ${kind.max}`;
    case 'text':
      return `${kind.min_len}–${kind.max_len} characters`;
    case 'number_list': {
      const count = kind.min_len === kind.max_len
        ? `${kind.min_len}` : `${kind.min_len} to ${kind.max_len}`;
      const each = kind.min || kind.max ? `, each in ${rangeText(kind.min, kind.max)}${unit}` : '';
      return `${count} comma-separated values${each}${kind.nullable ? '; empty = auto' : ''}`;
    }
    default:
      return '';
  }
}

function checkRange(x, min, max) {
  const below = min && (x < min.value || (!min.inclusive && x === min.value));
  const above = max && (x > max.value || (!max.inclusive && x === max.value));
  return below || above
    ? `${formatNumber(x)} is outside the valid range ${rangeText(min, max)}` : null;
}

function parseNumber(text) {
  const t = text.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

/**
 * Turns the raw text (or boolean) of a control into a parameter value.
 * Returns `{value}` or `{error}` with a message in the server's words.
 */
export function parseValue(spec, raw) {
  const kind = spec.kind;
  switch (kind.type) {
    case 'boolean':
      return { value: Boolean(raw) };
    case 'choice':
      if (raw === '' && spec.default === null) return { value: null };
      return kind.options.includes(raw)
        ? { value: raw } : { error: `'${raw}' is not one of: ${kind.options.join(', ')}` };
    case 'text': {
      if (raw === '' && spec.default === null) return { value: null };
      const n = [...raw].length;
      return n < kind.min_len || n > kind.max_len
        ? { error: `must have ${kind.min_len} to ${kind.max_len} characters, has ${n}` }
        : { value: raw };
    }
    case 'integer': {
      if (raw.trim() === '') return { error: 'a value is required' };
      const x = parseNumber(raw);
      if (x === null || !Number.isInteger(x)) return { error: `expected an integer, got '${raw.trim()}'` };
      if (x < kind.min || x > kind.max) {
        return { error: `${x} is outside the valid range ${kind.min}..=${kind.max}` };
      }
      return { value: x };
    }
    case 'number': {
      if (raw.trim() === '') {
        return kind.nullable ? { value: null } : { error: 'a value is required' };
      }
      const x = parseNumber(raw);
      if (x === null) return { error: `expected a finite number, got '${raw.trim()}'` };
      const err = checkRange(x, kind.min, kind.max);
      return err ? { error: err } : { value: x };
    }
    case 'number_list': {
      if (raw.trim() === '') {
        if (kind.nullable) return { value: null };
        if (kind.min_len > 0) return { error: 'a list of values is required' };
        return { value: [] };
      }
      const parts = raw.split(/[,;\s]+/).filter((p) => p !== '');
      const want = kind.min_len === kind.max_len
        ? `exactly ${kind.min_len}` : `${kind.min_len} to ${kind.max_len}`;
      if (parts.length < kind.min_len || parts.length > kind.max_len) {
        return { error: `must have ${want} values, has ${parts.length}` };
      }
      const values = [];
      for (const [i, p] of parts.entries()) {
        const x = parseNumber(p);
        if (x === null) return { error: `value ${i + 1}: expected a finite number, got '${p}'` };
        const err = checkRange(x, kind.min, kind.max);
        if (err) return { error: `value ${i + 1}: ${err}` };
        values.push(x);
      }
      return { value: values };
    }
    default:
      return { error: `unsupported parameter type '${kind.type}'` };
  }
}

/** The text a control shows for `value` (null: empty; a list: comma-separated). */
export function valueText(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** The text a control starts with for a default value. */
export function defaultText(spec) {
  return valueText(spec.default);
}
