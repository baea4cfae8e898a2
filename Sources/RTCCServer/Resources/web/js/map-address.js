// Address search on the map: a box that suggests places as you type (GET /api/v1/addresses/search, which forgives
// case, St/Street-style abbreviations and small typos) and hands the chosen one to the map; and the streets layer
// (GET /api/v1/streets) drawn under the cameras when streets were imported.
import { api, el } from './api.js';

const KIND_LABELS = { address: 'address', intersection: 'intersection', street: 'street' };

export class AddressSearch {
  /// `onChoose(match)` receives { label, latitude, longitude, kind, match, note }.
  constructor({ onChoose }) {
    this.onChoose = onChoose;
    this.matches = [];
    this.active = -1;
    this.asked = 0;
    this.input = el('input', {
      id: 'address-search', type: 'search', placeholder: 'address or corner, e.g. 401 Texas St', autocomplete: 'off', maxlength: 200,
      role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'address-suggestions',
      oninput: () => this.typed(), onkeydown: (event) => this.key(event), onblur: () => setTimeout(() => this.close(), 150),
    });
    this.list = el('ul', { id: 'address-suggestions', class: 'address-suggestions', role: 'listbox', hidden: true });
    this.status = el('p', { id: 'address-status', class: 'muted small' });
    this.element = el('div', { class: 'address-search' }, this.input, this.list, this.status);
  }

  typed() {
    clearTimeout(this.timer);
    const text = this.input.value.trim();
    if (text.length < 2) { this.show([]); this.status.textContent = ''; return; }
    this.timer = setTimeout(() => this.ask(text), 120);
  }

  async ask(text) {
    const asked = ++this.asked;
    try {
      const matches = await api(`/api/v1/addresses/search?q=${encodeURIComponent(text)}&limit=8`);
      if (asked !== this.asked) return; // a later keystroke has asked again
      this.show(matches);
      this.status.textContent = matches.length ? '' : `No address or street matches "${text}".`;
    } catch (error) {
      if (asked !== this.asked) return;
      this.show([]);
      this.status.textContent = error.message;
    }
  }

  show(matches) {
    this.matches = matches;
    this.active = matches.length ? 0 : -1;
    this.list.replaceChildren(...matches.map((match, index) => el('li', {
      role: 'option', class: 'address-suggestion', dataset: { index: String(index), kind: match.kind, match: match.match },
      onmousedown: (event) => { event.preventDefault(); this.choose(index); },
    }, el('span', { class: 'label' }, match.label), el('span', { class: 'muted small' }, ` ${KIND_LABELS[match.kind] || match.kind}`
      + (match.match === 'exact' ? '' : ` · ${match.match.replace('-', ' ')}`)))));
    this.list.hidden = matches.length === 0;
    this.input.setAttribute('aria-expanded', matches.length ? 'true' : 'false');
    this.highlight();
  }

  highlight() {
    [...this.list.children].forEach((item, index) => item.classList.toggle('active', index === this.active));
  }

  key(event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!this.matches.length) return;
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.highlight();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (this.active >= 0) this.choose(this.active);
    } else if (event.key === 'Escape') {
      this.close();
    }
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  }

  choose(index) {
    const match = this.matches[index];
    if (!match) return;
    this.input.value = match.label;
    this.close();
    this.status.textContent = match.note || '';
    this.onChoose(match);
  }
}

/// Draws the imported street centrelines into `group` (a Leaflet layer group) with their names on hover; returns
/// how many were drawn.
export async function loadStreets(L, group) {
  const collection = await api('/api/v1/streets');
  group.clearLayers();
  if (!collection.features.length) return 0;
  group.addLayer(L.geoJSON(collection, {
    style: { color: '#94a3b8', weight: 3, opacity: 0.55, className: 'street-line' },
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true, className: 'street-name' }),
  }));
  return collection.features.length;
}
