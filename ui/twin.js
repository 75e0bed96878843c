// The twin on the home page: a drawing of the rig from its description (`data/twin.json`,
// served as GET /api/twin or the `twin` command), with its sensors and key figures.

import { el } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of [children].flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Side view of the frame (sway direction y to the right), to scale vertically. */
function drawing(twin) {
  const frame = twin.frame;
  const storeys = frame.storey_free_length_m;
  const t = frame.floor_plate_m.thickness;
  const zc = frame.base_clamp_height_m;
  const total = zc + storeys.reduce((a, b) => a + b, 0) + storeys.length * t;
  const H = 330;
  const scale = (H - 40) / total;
  const W = 300;
  const left = 80;
  const width = frame.floor_plate_m.y * scale;
  const y = (z) => H - 20 - z * scale;
  const parts = [
    svg('title', {}, `Side view of ${twin.name}: ${storeys.length} floors on ${frame.columns} columns`),
    svg('rect', { x: left - 30, y: y(0), width: width + 60, height: 10, class: 'rig-ground' }),
    svg('rect', { x: left - 4, y: y(zc), width: width + 8, height: zc * scale, class: 'rig-clamp' }),
  ];
  let z = zc;
  storeys.forEach((L, i) => {
    const floor = i + 1;
    parts.push(svg('line', { x1: left, y1: y(z), x2: left, y2: y(z + L + t), class: 'rig-column' }));
    parts.push(svg('line', { x1: left + width, y1: y(z), x2: left + width, y2: y(z + L + t), class: 'rig-column' }));
    z += L;
    parts.push(svg('rect', { x: left, y: y(z + t), width, height: t * scale, class: 'rig-floor', 'data-floor': floor }));
    const mid = y(z + t / 2);
    const sensor = twin.sensors.find((s) => s.floor === floor && s.kind === 'accelerometer');
    if (sensor) {
      parts.push(svg('rect', { x: left + width + 6, y: mid - 6, width: 12, height: 12, class: 'rig-sensor' }));
      parts.push(svg('text', { x: left + width + 24, y: mid + 4, class: 'rig-label' }, sensor.id));
    }
    const mass = twin.floors.find((f) => f.floor === floor)?.mass_kg;
    if (mass) parts.push(svg('text', { x: left + width / 2, y: mid + 4, class: 'rig-mass', 'text-anchor': 'middle' }, `${mass.toFixed(2)} kg`));
    const force = twin.sensors.find((s) => s.floor === floor && s.id === 'F');
    if (force) {
      parts.push(svg('line', { x1: left - 46, y1: mid, x2: left - 6, y2: mid, class: 'rig-force', 'marker-end': 'url(#rig-arrow)' }));
      parts.push(svg('text', { x: left - 48, y: mid - 8, class: 'rig-label' }, 'F'));
    }
    z += t;
  });
  const defs = svg('defs', {}, svg('marker', {
    id: 'rig-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'rig-arrowhead' })));
  return svg('svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'rig-drawing', role: 'img', id: 'twin-drawing',
    'aria-label': `Drawing of ${twin.name}: ${storeys.length} floors, accelerometers on each floor, force on floor 1`,
  }, [defs, ...parts]);
}

/** The twin panel: drawing, summary, floors and sensors, natural frequencies. */
export function twinPanel(twin) {
  const freqs = (list) => list.map((f) => `${f.toFixed(2)} Hz`).join(' · ');
  return el('section', { id: 'twin', class: 'twin panel', 'aria-labelledby': 'twin-title' }, [
    el('h3', { id: 'twin-title' }, twin.name),
    el('div', { class: 'twin-body' }, [
      drawing(twin),
      el('div', { class: 'twin-facts' }, [
        el('p', {}, twin.summary),
        el('dl', {}, [
          el('dt', {}, 'Measured natural frequencies'), el('dd', { id: 'twin-measured-fn' }, freqs(twin.measured_natural_frequencies_hz)),
          el('dt', {}, 'Lumped model (default profile)'), el('dd', {}, freqs(twin.model_natural_frequencies_hz)),
          el('dt', {}, 'Sensors'), el('dd', {}, twin.sensors.map((s) => `${s.id}: ${s.kind}, floor ${s.floor}`).join('; ')),
          el('dt', {}, 'Frame'), el('dd', {}, `${twin.frame.material.name}; plates ${twin.frame.floor_plate_m.x * 1000} × ${twin.frame.floor_plate_m.y * 1000} mm; `
            + `${twin.frame.columns} columns ${twin.frame.column_section_m.width * 1000} × ${twin.frame.column_section_m.thickness * 1000} mm; height ${twin.frame.total_height_m} m`),
        ]),
        el('p', { class: 'hint' }, twin.origin),
      ]),
    ]),
  ]);
}
