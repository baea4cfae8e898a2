// The map's "Plan" panel: choose where N new cameras should go over a venue or a typed GeoJSON area (POST /api/v1/plans),
// draw them with their cones, offer the plan as GeoJSON/CSV, and replay past incidents against the cameras and the plan
// (POST /api/v1/coverage/replay), coloured seen / covered by the plan / gap.
import { api, el, toast } from './api.js';
import { sectorRing } from './map-geometry.js';

const VERDICT_COLOURS = { seen: '#22c55e', 'covered-by-plan': '#3b82f6', gap: '#ef4444' };
const DAY = 86_400_000;

function download(name, type, text) {
  const link = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(link);
  link.click();
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 0);
}

export class PlanPanel {
  constructor(map, L, { drawer } = {}) {
    this.map = map;
    this.L = L;
    this.planLayer = L.layerGroup().addTo(map);
    this.replayLayer = L.layerGroup().addTo(map);
    this.plan = null;
    const number = (id, value, extra = {}) => el('input', { id, type: 'number', step: 'any', value, ...extra });
    this.inputs = {
      venue: el('select', { id: 'plan-venue' }),
      polygon: el('textarea', { id: 'plan-polygon', rows: 2, placeholder: 'or a GeoJSON Polygon for the area' }),
      budget: number('plan-budget', '5', { min: '1', step: '1', title: 'cameras to place' }),
      fov: number('plan-fov', '90', { min: '1', max: '360', title: 'field of view, degrees' }),
      range: number('plan-range', '60', { min: '1', title: 'range, metres' }),
      spacing: number('plan-spacing', '40', { min: '1', title: 'candidate grid spacing, metres' }),
      demand: el('select', { id: 'plan-demand' }, el('option', { value: 'uniform' }, 'the whole area alike'),
        el('option', { value: 'incidents' }, 'incidents (past year)')),
      bandwidth: number('plan-bandwidth', '100', { min: '1', title: 'kernel bandwidth, metres' }),
    };
    this.result = el('div', { id: 'plan-result', class: 'coverage-result' });
    this.downloads = el('div', { class: 'map-row', id: 'plan-downloads', hidden: true },
      el('button', { id: 'plan-geojson', onclick: () => this.plan && download('plan.geojson', 'application/geo+json', JSON.stringify(this.plan.geojson)) }, 'GeoJSON'),
      el('button', { id: 'plan-csv', onclick: () => this.plan && download('plan.csv', 'text/csv', this.plan.csv) }, 'CSV'));
    this.replayResult = el('div', { id: 'replay-result', class: 'coverage-result' });
    const label = (text, input) => el('label', { class: 'small' }, text, input);
    this.element = el('section', { id: 'plan-panel' }, el('h3', {}, 'Plan'),
      this.inputs.venue, this.inputs.polygon, drawer ? drawer.buttonFor(this.inputs.polygon, 'plan-draw') : null,
      el('div', { class: 'map-row' }, label('Cameras', this.inputs.budget), label('FOV °', this.inputs.fov), label('Range m', this.inputs.range)),
      el('div', { class: 'map-row' }, label('Grid m', this.inputs.spacing), label('Bandwidth m', this.inputs.bandwidth)),
      label('Cover', this.inputs.demand),
      el('div', { class: 'map-row' }, el('button', { id: 'plan-run', onclick: () => this.run() }, 'Plan'),
        el('button', { id: 'replay-run', onclick: () => this.replay() }, 'Replay incidents')),
      this.result, this.downloads, this.replayResult);
  }

  setVenues(venues) {
    this.inputs.venue.replaceChildren(el('option', { value: '' }, '— typed area —'),
      ...venues.map((venue) => el('option', { value: venue.id, selected: /fair/i.test(venue.name) }, venue.name)));
  }

  area() {
    const text = this.inputs.polygon.value.trim();
    if (text) return { polygon: JSON.parse(text) };
    if (this.inputs.venue.value) return { venueID: this.inputs.venue.value };
    throw new Error('Choose a venue or type a GeoJSON Polygon.');
  }

  request() {
    const now = Date.now();
    const demand = this.inputs.demand.value === 'incidents'
      ? { kind: 'incidents', from: new Date(now - 366 * DAY).toISOString(), until: new Date(now + 60_000).toISOString(), bandwidthM: Number(this.inputs.bandwidth.value) }
      : { kind: 'uniform' };
    return {
      ...this.area(), budget: Number(this.inputs.budget.value), candidateGrid: { spacingM: Number(this.inputs.spacing.value) }, demand,
      camera: { fovDeg: Number(this.inputs.fov.value), rangeM: Number(this.inputs.range.value) },
    };
  }

  async run() {
    let body;
    try { body = this.request(); } catch (error) { toast(error.message); return; }
    this.result.textContent = 'Planning…';
    this.downloads.hidden = true;
    try {
      this.plan = await api('/api/v1/plans', { method: 'POST', body });
    } catch (error) {
      this.plan = null;
      this.result.textContent = error.message;
      this.planLayer.clearLayers();
      return;
    }
    this.draw(this.plan);
  }

  draw(plan) {
    this.planLayer.clearLayers();
    for (const camera of plan.chosen) {
      const ring = sectorRing(camera.latitude, camera.longitude, camera.headingDeg, camera.fovDeg, camera.rangeM);
      this.planLayer.addLayer(this.L.polygon(ring, { color: '#e879f9', weight: 1, fillOpacity: 0.2, interactive: false, className: 'plan-cone' }));
      this.planLayer.addLayer(this.L.circleMarker([camera.latitude, camera.longitude], {
        radius: 6, color: '#ffffff', weight: 2, fillColor: '#e879f9', fillOpacity: 1, className: 'plan-marker',
      }).bindTooltip(`#${camera.rank} ${camera.name}: heading ${camera.headingDeg}°`));
    }
    const bounds = this.L.latLngBounds(plan.chosen.map((c) => [c.latitude, c.longitude]));
    if (bounds.isValid()) this.map.fitBounds(bounds.pad(0.5), { animate: false, maxZoom: 17 });
    this.result.replaceChildren(el('p', { class: 'small', id: 'plan-summary' },
      `${plan.chosen.length} cameras from ${plan.candidates} sites cover ${plan.value.toFixed(1)} of ${plan.totalWeight.toFixed(1)} `
      + `(${plan.coveredPercent.toFixed(1)} % with existing cameras); at least ${plan.percentOfBound.toFixed(1)} % of the best possible.`));
    this.result.dataset.cameras = String(plan.chosen.length);
    this.downloads.hidden = false;
  }

  async replay() {
    const now = Date.now();
    const body = { from: new Date(now - 366 * DAY).toISOString(), until: new Date(now + 60_000).toISOString() };
    if (this.plan) body.proposed = this.plan.chosen;
    this.replayResult.textContent = 'Replaying…';
    let result;
    try {
      result = await api('/api/v1/coverage/replay', { method: 'POST', body });
    } catch (error) {
      this.replayResult.textContent = error.message;
      return;
    }
    this.replayLayer.clearLayers();
    for (const incident of result.incidents) {
      this.replayLayer.addLayer(this.L.circleMarker([incident.latitude, incident.longitude], {
        radius: 3, color: VERDICT_COLOURS[incident.verdict], weight: 1, fillOpacity: 0.8, interactive: false, className: `replay-${incident.verdict}`,
      }));
    }
    const counts = result.counts;
    this.replayResult.replaceChildren(el('table', { class: 'data', id: 'replay-counts' },
      ...[['seen', 'seen', counts.seen], ['covered-by-plan', 'covered by the plan', counts.coveredByPlan], ['gap', 'in a gap', counts.gap]]
        .map(([key, text, n]) => el('tr', { dataset: { verdict: key } },
          el('td', {}, el('span', { style: `color:${VERDICT_COLOURS[key]}` }, '● '), text), el('td', { class: 'percent' }, String(n))))),
      el('p', { class: 'muted small' }, `${counts.total} incidents of the past year${this.plan ? `, with the plan's ${this.plan.chosen.length} cameras` : ''}.`));
    this.replayResult.dataset.total = String(counts.total);
  }
}
