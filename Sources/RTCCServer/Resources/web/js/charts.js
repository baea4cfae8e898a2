// SVG charts drawn by our own code: bars (optionally stacked by series), paired bars (this period against another),
// large numbers readable on a wall display. Every chart carries its values in data attributes for tests and screen readers.
const SVG = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#3b82f6', '#f59e0b', '#22c55e', '#ef4444', '#a855f7', '#14b8a6', '#e879f9', '#94a3b8'];

function node(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function frame(width, height, title) {
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(node('title', {}, title));
  return svg;
}

/// Bars for `items` ({label, value, highlight?}) or, with `series`, stacked bars ({label, values: {series: n}}).
export function barChart(items, { title, width = 640, height = 220, series = null, labelEvery = 1 } = {}) {
  const svg = frame(width, height, title);
  const top = 18, bottom = 28, left = 34, right = 8;
  const plotHeight = height - top - bottom, plotWidth = width - left - right;
  const totals = items.map((item) => (series ? series.reduce((sum, s) => sum + (item.values[s] || 0), 0) : item.value));
  const maximum = Math.max(1, ...totals);
  const slot = plotWidth / Math.max(1, items.length);
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight * (1 - fraction);
    svg.append(node('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'grid' }));
    svg.append(node('text', { x: left - 4, y: y + 4, 'text-anchor': 'end', class: 'axis' }, String(Math.round(maximum * fraction))));
  }
  items.forEach((item, index) => {
    const x = left + index * slot + slot * 0.12, w = Math.max(1, slot * 0.76);
    let y = top + plotHeight;
    const parts = series ? series.map((s, i) => [s, item.values[s] || 0, PALETTE[i % PALETTE.length]]) : [['value', item.value, item.highlight ? '#ef4444' : PALETTE[0]]];
    for (const [name, value, colour] of parts) {
      const h = plotHeight * value / maximum;
      y -= h;
      if (value > 0) svg.append(node('rect', { x, y, width: w, height: h, fill: colour, class: 'bar', 'data-label': item.label, 'data-series': name, 'data-value': value }));
    }
    if (!series && items.length <= 24) svg.append(node('text', { x: x + w / 2, y: y - 3, 'text-anchor': 'middle', class: 'value' }, String(item.value)));
    if (index % labelEvery === 0) svg.append(node('text', { x: x + w / 2, y: height - bottom + 14, 'text-anchor': 'middle', class: 'axis' }, item.label));
  });
  if (series) {
    series.forEach((name, i) => {
      const x = left + i * 110;
      svg.append(node('rect', { x, y: 2, width: 10, height: 10, fill: PALETTE[i % PALETTE.length] }));
      svg.append(node('text', { x: x + 14, y: 11, class: 'axis' }, name.replace('_', ' ')));
    });
  }
  return svg;
}

/// Pairs of bars: `current` and `previous` values per label.
export function pairChart(labels, current, previous, { title, legend = ['this period', 'a year before'], width = 640, height = 220 } = {}) {
  const svg = frame(width, height, title);
  const top = 18, bottom = 28, left = 34, right = 8;
  const plotHeight = height - top - bottom, plotWidth = width - left - right;
  const maximum = Math.max(1, ...current, ...previous);
  const slot = plotWidth / Math.max(1, labels.length);
  labels.forEach((label, index) => {
    [[current[index], PALETTE[0], 0.1, 'current'], [previous[index], '#94a3b8', 0.48, 'previous']].forEach(([value, colour, offset, name]) => {
      const h = plotHeight * value / maximum;
      svg.append(node('rect', { x: left + index * slot + slot * offset, y: top + plotHeight - h, width: slot * 0.36, height: h, fill: colour, class: 'bar', 'data-label': label, 'data-series': name, 'data-value': value }));
    });
    svg.append(node('text', { x: left + index * slot + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle', class: 'axis' }, label));
  });
  legend.forEach((text, i) => {
    svg.append(node('rect', { x: left + i * 120, y: 2, width: 10, height: 10, fill: i ? '#94a3b8' : PALETTE[0] }));
    svg.append(node('text', { x: left + i * 120 + 14, y: 11, class: 'axis' }, text));
  });
  return svg;
}
