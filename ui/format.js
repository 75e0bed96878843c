// Number formatting and readable labels for snake_case keys that carry their unit as a suffix
// (docs/platform.md §3): `kinetic_energy_reduction_db` → "Kinetic energy reduction (dB)".

/** `x` to `digits` significant digits, trailing zeros dropped; exponent form when very small or large. */
export function formatNumber(x, digits = 6) {
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 10 ** digits)) {
    const [mantissa, exp] = x.toExponential(digits - 1).split('e');
    return `${trimZeros(mantissa)}e${exp.replace('+', '')}`;
  }
  return trimZeros(x.toPrecision(digits));
}

function trimZeros(s) {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

// Longest suffixes first so `_n_per_m` wins over `_m`.
const UNITS = [
  ['_j_rad_per_s', 'J·rad/s'],
  ['_a_s_per_m', 'A·s/m'],
  ['_m_per_s2', 'm/s²'],
  ['_rad_per_s', 'rad/s'],
  ['_ns_per_m', 'N·s/m'],
  ['_n_per_m', 'N/m'],
  ['_n_per_a', 'N/A'],
  ['_m_per_s', 'm/s'],
  ['_1_per_s', '1/s'],
  ['_percent', '%'],
  ['_n_s', 'N·s'],
  ['_ohm', 'Ω'],
  ['_deg', 'deg'],
  ['_rad', 'rad'],
  ['_hz', 'Hz'],
  ['_kg', 'kg'],
  ['_db', 'dB'],
  ['_w', 'W'],
  ['_n', 'N'],
  ['_a', 'A'],
  ['_j', 'J'],
  ['_m', 'm'],
  ['_s', 's'],
];

const STATS = { mean: 'mean', std: 'std. dev.', p05: '5th percentile', p50: 'median', p95: '95th percentile' };

const WORDS = {
  mc: 'Monte-Carlo', rms: 'RMS', frf: 'FRF', psd: 'PSD', ke: 'KE', h1: 'H1', lqg: 'LQG',
  lqr: 'LQR', dvf: 'DVF', tmd: 'TMD', fea: 'FEA', cbc: 'CBC', re: 'Re', im: 'Im',
};

function words(stem) {
  const text = stem.split('_').filter(Boolean).map((w) => WORDS[w] ?? w).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Splits a key into a readable name, its unit ("" if none) and a statistic ("" if none). */
export function describeKey(key) {
  let stem = key;
  let stat = '';
  const statMatch = /_(mean|std|p05|p50|p95)$/.exec(stem);
  if (statMatch) {
    stat = STATS[statMatch[1]];
    stem = stem.slice(0, statMatch.index);
  }
  let unit = '';
  for (const [suffix, symbol] of UNITS) {
    if (stem.endsWith(suffix) && stem.length > suffix.length) {
      unit = symbol;
      stem = stem.slice(0, -suffix.length);
      break;
    }
  }
  return { name: words(stem), unit, stat };
}

/** "Natural frequency 1 (Hz)", "Monte-Carlo natural frequency 1 (Hz), mean". */
export function keyLabel(key) {
  const { name, unit, stat } = describeKey(key);
  return `${name}${unit ? ` (${unit})` : ''}${stat ? `, ${stat}` : ''}`;
}

/** A series name without its unit: `frf_floor_1_controlled_db` → "FRF floor 1 controlled". */
export function seriesLabel(name) {
  const { name: text, stat } = describeKey(name);
  return stat ? `${text} ${stat}` : text;
}

/** "Proof mass (kg)" for a parameter spec. */
export function paramLabel(spec) {
  return spec.unit ? `${spec.label} (${spec.unit})` : spec.label;
}
