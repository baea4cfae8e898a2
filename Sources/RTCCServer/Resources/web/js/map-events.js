// The map's "Events" panel: temporary deployments (a state fair, a parade). Create an event over a venue or a typed
// area with its window, plan its cameras with the placement optimiser (only cameras active during the event count),
// register the planned cameras for it, and read the after-event report: recording uptime, coverage permanent / planned /
// achieved, incidents in the area seen, recorded or in a gap, outages and evidence.
import { api, el, toast, isoLocal } from './api.js';

const LEVELS = ['any', 'detect', 'observe', 'recognise', 'identify'];
const PHASE_TEXT = { upcoming: 'upcoming', running: 'under way', ended: 'ended' };

function when(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export class EventsPanel {
  /// `planPanel` draws plans; `onCamerasChanged` reloads the map's cameras after new ones are registered.
  constructor(map, L, { planPanel, drawer, onCamerasChanged }) {
    this.map = map;
    this.L = L;
    this.planPanel = planPanel;
    this.onCamerasChanged = onCamerasChanged;
    this.areaLayer = L.layerGroup().addTo(map);
    this.events = [];
    this.plan = null;
    const now = Date.now();
    this.select = el('select', { id: 'event-select', onchange: () => this.show() });
    this.detail = el('p', { id: 'event-detail', class: 'muted small' }, 'No events yet.');
    this.create = {
      name: el('input', { id: 'event-name', placeholder: 'event name' }),
      venue: el('select', { id: 'event-venue' }),
      polygon: el('textarea', { id: 'event-polygon', rows: 2, placeholder: 'or a GeoJSON Polygon for the area' }),
      starts: el('input', { id: 'event-starts', type: 'datetime-local', value: isoLocal(now + 86_400_000) }),
      ends: el('input', { id: 'event-ends', type: 'datetime-local', value: isoLocal(now + 4 * 86_400_000) }),
    };
    this.budget = el('input', { id: 'event-budget', type: 'number', min: '1', step: '1', value: '6', title: 'cameras to place' });
    this.result = el('div', { id: 'event-result', class: 'coverage-result' });
    this.addButton = el('button', { id: 'event-add-planned', hidden: true, onclick: () => this.addPlanned() }, 'Add planned cameras');
    const label = (text, input) => el('label', { class: 'small' }, text, input);
    this.element = el('section', { id: 'events-panel' }, el('h3', {}, 'Events'),
      this.select, this.detail,
      el('div', { class: 'map-row' }, label('Cameras', this.budget),
        el('button', { id: 'event-plan', onclick: () => this.planCameras() }, 'Plan cameras'), this.addButton),
      el('button', { id: 'event-report', onclick: () => this.report() }, 'After-event report'),
      this.result,
      el('details', { id: 'event-new' }, el('summary', {}, 'New event'),
        el('form', { class: 'map-form', onsubmit: (event) => { event.preventDefault(); this.createEvent(); } },
          this.create.name, this.create.venue, this.create.polygon, drawer ? drawer.buttonFor(this.create.polygon, 'event-draw') : null,
          label('Starts', this.create.starts), label('Ends', this.create.ends),
          el('button', { type: 'submit', id: 'event-create' }, 'Create event'))));
  }

  setVenues(venues) {
    this.create.venue.replaceChildren(el('option', { value: '' }, '— typed area —'),
      ...venues.map((venue) => el('option', { value: venue.id, selected: /fair/i.test(venue.name) }, venue.name)));
  }

  async load(selectID) {
    const listing = await api('/api/v1/deployments').catch(() => ({ items: [] }));
    this.events = listing.items;
    this.select.replaceChildren(...this.events.map((event) => el('option', { value: event.id, selected: event.id === selectID },
      `${event.name} · ${PHASE_TEXT[event.phase]}`)));
    this.element.dataset.events = String(this.events.length);
    this.show();
  }

  current() {
    return this.events.find((event) => event.id === this.select.value);
  }

  show() {
    this.areaLayer.clearLayers();
    this.result.replaceChildren();
    this.addButton.hidden = true;
    const event = this.current();
    if (!event) { this.detail.textContent = 'No events yet.'; return; }
    const recordable = event.cameras.filter((c) => c.recordable).length;
    this.detail.textContent = `${when(event.startsAt)} – ${when(event.endsAt)} (${PHASE_TEXT[event.phase]}); `
      + `${event.cameras.length} temporary camera${event.cameras.length === 1 ? '' : 's'}, ${recordable} with a stream.`;
    const outline = this.L.polygon(event.area.map((ring) => ring.map((p) => [p.latitude, p.longitude])),
      { color: '#a855f7', weight: 2, fillOpacity: 0.05, dashArray: '4 3', interactive: false, className: 'event-area' });
    this.areaLayer.addLayer(outline.bindTooltip(event.name));
  }

  async createEvent() {
    const body = { name: this.create.name.value, startsAt: new Date(this.create.starts.value).toISOString(), endsAt: new Date(this.create.ends.value).toISOString() };
    try {
      const text = this.create.polygon.value.trim();
      if (text) body.polygon = JSON.parse(text);
      else if (this.create.venue.value) body.venueID = this.create.venue.value;
    } catch (error) {
      toast(`The area is not JSON: ${error.message}`);
      return;
    } 
    try {
      const created = await api('/api/v1/deployments', { method: 'POST', body });
      toast(`Event "${created.name}" created.`, 'info');
      await this.load(created.id);
    } catch (error) {
      toast(error.message);
    }
  }

  async planCameras() {
    const event = this.current();
    if (!event) { toast('Create or choose an event first.'); return; }
    this.result.textContent = 'Planning…';
    try {
      this.plan = await api(`/api/v1/deployments/${event.id}/plan`, {
        method: 'POST', body: { budget: Number(this.budget.value), camera: { fovDeg: 90, rangeM: 60 }, candidateGrid: { spacingM: 30 } },
      });
    } catch (error) {
      this.result.textContent = error.message;
      return;
    }
    this.planPanel.plan = this.plan;
    this.planPanel.draw(this.plan);
    this.result.replaceChildren(el('p', { class: 'small', id: 'event-plan-summary' },
      `${this.plan.chosen.length} cameras would bring the area to ${this.plan.coveredPercent.toFixed(1)} % in view `
      + `(${this.plan.existingCameras} cameras active during the event counted); at least ${this.plan.percentOfBound.toFixed(1)} % of the best possible.`));
    this.addButton.hidden = false;
  }

  async addPlanned() {
    const event = this.current();
    if (!event || !this.plan) return;
    try {
      const updated = await api(`/api/v1/deployments/${event.id}/cameras`, { method: 'POST', body: { cameras: this.plan.chosen } });
      toast(`${this.plan.chosen.length} temporary cameras registered for ${updated.name}; set each one's stream when it is mounted.`, 'info');
      this.addButton.hidden = true;
      await this.onCamerasChanged();
      await this.load(event.id);
    } catch (error) {
      toast(error.message);
    }
  }

  async report() {
    const event = this.current();
    if (!event) { toast('Create or choose an event first.'); return; }
    this.result.textContent = 'Measuring…';
    let report;
    try {
      report = await api(`/api/v1/deployments/${event.id}/report?resolutionM=5`);
    } catch (error) {
      this.result.textContent = error.message;
      return;
    }
    const coverage = report.coverage;
    const achieved = coverage.achieved.sampled ? coverage.achieved.coveredPercent : null;
    const pct = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} %`);
    const coverageTable = el('table', { class: 'data', id: 'event-coverage' },
      el('tr', {}, el('th', {}, ''), el('th', {}, 'permanent'), el('th', {}, 'planned'), el('th', {}, 'achieved')),
      ...LEVELS.map((level) => el('tr', { dataset: { level } }, el('td', {}, level === 'any' ? 'in view' : level),
        el('td', { class: 'percent' }, pct(coverage.permanentOnly[level])), el('td', { class: 'percent' }, pct(coverage.planned[level])),
        el('td', { class: 'percent achieved' }, pct(achieved && achieved[level])))));
    const verdicts = report.incidents.verdicts;
    const cameras = report.eventCameras;
    const evidence = report.evidence;
    const lowest = coverage.achieved.sampled
      ? `Lowest: ${pct(coverage.achieved.lowestPercent)} at ${when(coverage.achieved.lowestAt)} (${coverage.achieved.camerasRecordingAtLowest} cameras recording).`
      : 'The event has not started: nothing recorded yet.';
    const uptime = el('details', {}, el('summary', {}, `Cameras reaching the area (${report.cameras.length})`),
      el('table', { class: 'data small', id: 'event-cameras' }, ...report.cameras.map((camera) => el('tr', { dataset: { cameraId: camera.cameraID } },
        el('td', {}, camera.eventCamera ? '◆ ' : '', camera.name), el('td', { class: 'percent' }, `${camera.uptimePercent.toFixed(1)} %`),
        el('td', { class: 'muted' }, camera.outages ? `${camera.outages} outage${camera.outages === 1 ? '' : 's'}` : '')))));
    this.result.replaceChildren(
      el('p', { class: 'small', id: 'event-report-summary' },
        `${cameras.linked} event cameras, ${cameras.recorded} recorded, mean uptime ${pct(cameras.meanUptimePercent)}; ${report.outages} outages.`),
      coverageTable,
      el('p', { class: 'muted small' }, lowest),
      el('p', { class: 'small', id: 'event-incidents' },
        `${report.incidents.total} incidents in the area: ${verdicts.recorded} recorded, ${verdicts.inViewNotRecorded} in view but not recorded, ${verdicts.gap} in a gap.`),
      el('p', { class: 'small', id: 'event-evidence' },
        `Evidence: ${evidence.holds} holds, ${evidence.exports} exports (${evidence.packages} packages)${evidence.cases.length ? `, cases ${evidence.cases.join(', ')}` : ''}.`),
      uptime);
    this.result.dataset.report = 'ready';
    for (const incident of report.incidents.items) {
      const colour = incident.verdict === 'recorded' ? '#22c55e' : incident.verdict === 'gap' ? '#ef4444' : '#f59e0b';
      this.areaLayer.addLayer(this.L.circleMarker([incident.latitude, incident.longitude],
        { radius: 4, color: colour, weight: 1, fillOpacity: 0.9, interactive: false, className: `event-incident-${incident.verdict}` }));
    }
  }
}
