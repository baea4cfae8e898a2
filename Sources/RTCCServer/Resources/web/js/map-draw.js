// Drawing an area on the map: each click adds a corner, "Finish" (or a double click) closes the ring and writes it as a
// GeoJSON Polygon into a text field (the plan's or the event's area), which the server validates like a typed one.
import { el, toast } from './api.js';

export class AreaDrawer {
  constructor(map, L) {
    this.map = map;
    this.L = L;
    this.layer = L.layerGroup().addTo(map);
    this.target = null;
    this.button = null;
    this.points = [];
    map.on('dblclick', (event) => { if (this.target) { event.originalEvent?.preventDefault(); this.finish(); } });
  }

  get active() { return this.target !== null; }

  /// A "Draw area" button that fills `field` with the drawn polygon.
  buttonFor(field, id) {
    const button = el('button', { type: 'button', id, class: 'draw-area', onclick: () => (this.target === field ? this.finish() : this.start(field, button)) }, 'Draw area');
    return button;
  }

  start(field, button) {
    if (this.target) this.cancel();
    this.target = field;
    this.button = button;
    this.points = [];
    button.textContent = 'Finish area';
    this.map.doubleClickZoom.disable();
    this.map.getContainer().classList.add('drawing');
    toast('Click the map to add corners; Finish area (or double-click) closes it.', 'info');
  }

  add(latlng) {
    this.points.push([latlng.lat, latlng.lng]);
    this.redraw();
  }

  redraw() {
    this.layer.clearLayers();
    if (this.points.length > 1) this.layer.addLayer(this.L.polygon(this.points, { color: '#facc15', weight: 2, fillOpacity: 0.1, className: 'drawn-area', interactive: false }));
    for (const point of this.points) this.layer.addLayer(this.L.circleMarker(point, { radius: 3, color: '#facc15', interactive: false, className: 'drawn-corner' }));
  }

  finish() {
    const field = this.target;
    // A double click also lands as a click: drop a repeated last corner.
    const points = this.points.filter((p, i, all) => i === 0 || p[0] !== all[i - 1][0] || p[1] !== all[i - 1][1]);
    this.stop();
    if (points.length < 3) { toast('An area needs at least three corners.'); this.layer.clearLayers(); return; }
    const ring = points.map(([lat, lon]) => [Number(lon.toFixed(7)), Number(lat.toFixed(7))]);
    ring.push(ring[0]);
    field.value = JSON.stringify({ type: 'Polygon', coordinates: [ring] });
    field.dispatchEvent(new Event('input'));
  }

  cancel() {
    this.stop();
    this.layer.clearLayers();
  }

  stop() {
    if (this.button) this.button.textContent = 'Draw area';
    this.target = null;
    this.button = null;
    this.map.doubleClickZoom.enable();
    this.map.getContainer().classList.remove('drawing');
  }
}
