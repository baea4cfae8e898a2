// Evidence: cases (search, create, status, links, notes), exports of exact clips into signed packages with
// progress, package download and verification, custody reports, and time-limited share links for police.
import { api, el, toast, allCameras, formatWallClock } from './api.js';

let view = null;

export async function enter(container, { me, params, navigate }) {
  view = new Evidence(container, me, params, navigate);
  await view.start();
}

export function leave() {
  view?.destroy();
  view = null;
}

const may = (me, permission) => me.permissions.includes(permission);
const iso = (ms) => new Date(ms).toISOString();
const local = (date) => (date ? formatWallClock(Date.parse(date)) : '');

class Evidence {
  constructor(container, me, params, navigate) {
    this.container = container;
    this.me = me;
    this.params = params;
    this.navigate = navigate;
    this.timers = [];
    window.rtccEvidence = this;
  }

  async start() {
    if (!may(this.me, 'cases:read')) {
      this.container.append(el('div', { class: 'placeholder' }, el('h2', {}, 'Evidence'), el('p', { class: 'muted' }, 'Your role does not give access to cases.')));
      return;
    }
    this.cameras = await allCameras().catch(() => []);
    this.cameraNames = new Map(this.cameras.map((c) => [c.id, c.name]));
    this.search = el('input', { type: 'search', class: 'search', id: 'case-search', placeholder: 'Search cases…', oninput: () => this.loadCases() });
    this.statusFilter = el('select', { id: 'case-status', 'aria-label': 'Status', onchange: () => this.loadCases() },
      ['', 'open', 'released', 'closed'].map((s) => el('option', { value: s }, s || 'any status')));
    this.list = el('div', { class: 'cam-list', id: 'case-list' });
    this.detail = el('section', { class: 'content detail', id: 'case-detail' });
    const sidebar = el('aside', { class: 'sidebar' }, this.search, el('div', { class: 'toolbar' }, this.statusFilter,
      may(this.me, 'cases:write') ? el('button', { id: 'case-new', onclick: () => this.newCase() }, 'New case') : null), this.list);
    this.container.append(sidebar, this.detail);
    await this.loadCases();
    const wanted = this.params.get('case');
    if (this.params.get('export')) await this.exportFromPlayback();
    else if (wanted) await this.open(wanted);
    else this.detail.append(el('div', { class: 'placeholder muted' }, 'Choose a case, or create one.'));
  }

  async loadCases() {
    const q = encodeURIComponent(this.search.value.trim());
    const status = this.statusFilter.value;
    try {
      const page = await api(`/api/v1/cases?limit=200${q ? `&q=${q}` : ''}${status ? `&status=${status}` : ''}`);
      this.cases = page.items;
      this.list.replaceChildren(...page.items.map((c) => el('div', { class: 'cam-item', dataset: { case: c.id }, onclick: () => this.open(c.id) },
        el('div', { class: 'meta' }, el('span', { class: 'name' }, `${c.number} · ${c.type}`),
          el('span', { class: 'muted small' }, `${c.status} · ${local(c.occurredAt)} · ${c.location || ''}`)))));
      if (page.items.length === 0) this.list.append(el('p', { class: 'muted', style: 'padding: 8px' }, 'No case matches.'));
    } catch (error) { toast(error.message); }
  }

  newCase(prefill = {}, exportPrefill = {}) {
    return new Promise((resolve) => {
      const number = el('input', { id: 'new-case-number', required: true, maxlength: 40, value: prefill.number || '', placeholder: 'Police report number' });
      const type = el('input', { id: 'new-case-type', required: true, maxlength: 60, value: prefill.type || '', placeholder: 'e.g. aggravated assault' });
      const location = el('input', { id: 'new-case-location', maxlength: 200, value: prefill.location || '' });
      const at = el('input', { id: 'new-case-at', type: 'datetime-local', step: 1, required: true });
      if (prefill.at) at.value = new Date(prefill.at - new Date().getTimezoneOffset() * 60e3).toISOString().slice(0, 19);
      const error = el('p', { class: 'error', hidden: true });
      const dialog = el('dialog', { id: 'new-case-dialog' }, el('form', { method: 'dialog' },
        el('h3', {}, 'New case'), el('label', {}, 'Case number', number), el('label', {}, 'Type', type), el('label', {}, 'Location', location),
        el('label', {}, 'Occurred at', at), error,
        el('div', { class: 'controls' }, el('button', { value: 'cancel', formnovalidate: true }, 'Cancel'), el('button', { value: 'ok', class: 'primary', id: 'new-case-ok' }, 'Create'))));
      dialog.addEventListener('close', async () => {
        if (dialog.returnValue !== 'ok') { dialog.remove(); resolve(null); return; }
        try {
          const body = { number: number.value.trim(), type: type.value.trim(), location: location.value.trim(), occurredAt: new Date(at.value).toISOString() };
          // The place picked on the map comes with its point, so the case can be found on the map later.
          if (prefill.point) body.point = prefill.point;
          const created = await api('/api/v1/cases', { method: 'POST', body });
          dialog.remove();
          await this.loadCases();
          resolve(created);
        } catch (failure) {
          error.textContent = failure.message;
          error.hidden = false;
          dialog.showModal();
        }
      });
      document.body.append(dialog);
      dialog.showModal();
    }).then(async (created) => { if (created) await this.open(created.id, exportPrefill); return created; });
  }

  /// One of the case's links; a footage request says where it stands (asked, approved, the owner's clip received).
  linkItem(link) {
    const name = link.kind === 'camera' ? this.cameraNames.get(link.reference.toUpperCase()) || this.cameraNames.get(link.reference) || link.reference : link.reference;
    const item = el('li', { dataset: { kind: link.kind, reference: link.reference } }, `${link.kind}: ${name}`);
    if (link.kind === 'footage_request' && /^[0-9a-f-]{36}$/i.test(link.reference)) {
      api(`/api/v1/footage-requests/${link.reference}`).then((request) => {
        const camera = this.cameraNames.get(request.cameraID.toUpperCase()) || this.cameraNames.get(request.cameraID) || request.cameraID;
        item.dataset.status = request.status;
        item.textContent = `footage request: ${camera} · ${request.status}${request.clipSHA256 ? ` · owner's clip SHA-256 ${request.clipSHA256.slice(0, 12)}…` : ''}`;
      }).catch((error) => { item.append(el('span', { class: 'muted small' }, ` (status unavailable: ${error.message})`)); });
    }
    return item;
  }

  async open(id, exportPrefill = {}) {
    for (const item of this.list.querySelectorAll('.cam-item')) item.classList.toggle('selected', item.dataset.case === id);
    history.replaceState({}, '', `/evidence?case=${id}`);
    let found;
    try { found = await api(`/api/v1/cases/${id}`); } catch (error) { toast(`The case could not be opened: ${error.message}`); return; }
    this.current = found;
    const writable = may(this.me, 'cases:write');
    const status = el('select', { id: 'case-status-edit', disabled: !writable, onchange: () => this.setStatus(status.value) },
      ['open', 'released', 'closed'].map((s) => el('option', { value: s, selected: s === found.status }, s)));
    const note = el('input', { id: 'case-note', placeholder: 'Add a note…', maxlength: 2000 });
    this.exportsBox = el('div', { id: 'case-exports' });
    this.packagesBox = el('div', { id: 'case-packages' });
    this.detail.replaceChildren(el('div', { class: 'toolbar' },
      el('strong', {}, `Case ${found.number}`), el('span', { class: 'muted' }, `${found.type} · ${local(found.occurredAt)} · ${found.location}`),
      el('span', { class: 'spacer' }), status,
      el('a', { class: 'button', href: `/api/v1/cases/${id}/custody.html`, target: '_blank', id: 'custody-html' }, 'Custody report'),
      el('a', { class: 'button', href: `/api/v1/cases/${id}/custody.pdf`, target: '_blank', id: 'custody-pdf' }, 'PDF')),
    el('div', { class: 'panes' },
      el('div', { class: 'pane' }, el('h4', {}, 'Links'), el('ul', { id: 'case-links' }, found.links.map((l) => this.linkItem(l))),
        el('h4', {}, 'Notes'), el('ul', { id: 'case-notes' }, found.notes.map((n) => el('li', {}, el('span', { class: 'muted small' }, `${n.author} ${local(n.at)} `), n.text))),
        writable ? el('form', { onsubmit: (e) => { e.preventDefault(); this.addNote(note.value); } }, note) : null),
      el('div', { class: 'pane' }, el('h4', {}, 'Exports'), may(this.me, 'evidence:export') ? this.exportForm(exportPrefill) : null, this.exportsBox,
        el('h4', {}, 'Evidence packages'), this.packagesBox)));
    await Promise.all([this.loadExports(), this.loadPackages()]);
  }

  async setStatus(status) {
    try { this.current = await api(`/api/v1/cases/${this.current.id}`, { method: 'PATCH', body: { status } }); await this.loadCases(); toast(`Case ${this.current.number} is ${status}.`, 'info'); }
    catch (error) { toast(error.message); }
  }

  async addNote(text) {
    if (!text.trim()) return;
    try { await api(`/api/v1/cases/${this.current.id}/notes`, { method: 'POST', body: { text } }); await this.open(this.current.id); }
    catch (error) { toast(error.message); }
  }

  exportForm(prefill = {}) {
    const live = this.cameras.filter((c) => c.sharing === 'live');
    const cameras = el('select', { id: 'export-cameras', multiple: true, size: Math.min(8, Math.max(2, live.length)), 'aria-label': 'Cameras' },
      live.map((c) => el('option', {
        value: c.id, selected: (prefill.cameras || []).includes(c.id),
        dataset: { words: [c.name, c.kind, c.sharing, ...(c.tags || [])].join(' ').toLowerCase() },
      }, `${c.name} (${c.kind})`)));
    const chosen = el('span', { class: 'muted small', id: 'export-chosen' });
    const showChosen = () => { chosen.textContent = `${cameras.selectedOptions.length} chosen`; };
    cameras.addEventListener('change', showChosen);
    showChosen();
    // Search by name, street, kind or tier; chosen cameras stay listed.
    const search = el('input', {
      id: 'export-camera-search', type: 'search', placeholder: 'Search cameras by name, street, kind or tier', 'aria-label': 'Search cameras',
      oninput: () => {
        const terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        for (const option of cameras.options) option.hidden = !option.selected && !terms.every((term) => option.dataset.words.includes(term));
      },
    });
    const toLocal = (ms) => new Date(ms - new Date().getTimezoneOffset() * 60e3).toISOString().slice(0, 19);
    const from = el('input', { id: 'export-from', type: 'datetime-local', step: 1, value: prefill.from ? toLocal(prefill.from) : '' });
    const until = el('input', { id: 'export-until', type: 'datetime-local', step: 1, value: prefill.until ? toLocal(prefill.until) : '' });
    const purpose = el('input', { id: 'export-purpose', placeholder: 'Purpose (e.g. requested by Det. Ruiz)', maxlength: 300, value: prefill.purpose || '' });
    return el('form', { class: 'export-form', onsubmit: (event) => {
      event.preventDefault();
      const ids = [...cameras.selectedOptions].map((o) => o.value);
      this.startExport(ids, new Date(from.value).getTime(), new Date(until.value).getTime(), purpose.value.trim());
    } }, el('div', { class: 'controls' }, search, chosen), cameras,
    el('div', { class: 'controls' }, el('label', {}, 'From ', from), el('label', {}, 'Until ', until)), purpose,
    el('button', { type: 'submit', id: 'export-start' }, 'Export exact clips'));
  }

  async startExport(cameraIDs, from, until, purpose) {
    if (!cameraIDs.length || Number.isNaN(from) || Number.isNaN(until)) { toast('Choose cameras and a time range to export.'); return; }
    try {
      const job = await api(`/api/v1/cases/${this.current.id}/exports`, { method: 'POST', body: { cameraIDs, from: iso(from), until: iso(until), purpose } });
      toast('Export started.', 'info');
      await this.loadExports();
      this.watch(job.id);
    } catch (error) { toast(`The export was refused: ${error.message}`); }
  }

  watch(jobID) {
    const timer = setInterval(async () => {
      try {
        const job = await api(`/api/v1/exports/${jobID}`);
        this.renderJob(job);
        if (job.state === 'succeeded' || job.state === 'failed') {
          clearInterval(timer);
          if (job.state === 'failed') toast(`The export failed: ${job.error}`);
          await this.loadPackages();
        }
      } catch (error) { clearInterval(timer); toast(error.message); }
    }, 500);
    this.timers.push(timer);
  }

  async loadExports() {
    try {
      const jobs = await api(`/api/v1/cases/${this.current.id}/exports`);
      const items = Array.isArray(jobs) ? jobs : jobs.items || [];
      this.exportsBox.replaceChildren(...items.map((job) => this.jobRow(job)));
      for (const job of items) if (job.state === 'queued' || job.state === 'running') this.watch(job.id);
    } catch (error) { toast(error.message); }
  }

  jobRow(job) {
    const bar = el('progress', { max: 1, value: job.progress });
    return el('div', { class: 'job', dataset: { job: job.id, state: job.state } }, bar, el('span', { class: 'small' },
      ` ${job.state} ${Math.round(job.progress * 100)} % · ${job.cameraIDs.length} camera(s) · ${local(job.from)} – ${local(job.until)}`),
    job.error ? el('div', { class: 'error small' }, job.error) : null);
  }

  renderJob(job) {
    const row = this.exportsBox.querySelector(`[data-job="${job.id}"]`);
    if (row) row.replaceWith(this.jobRow(job)); else this.exportsBox.prepend(this.jobRow(job));
  }

  async loadPackages() {
    try {
      const result = await api(`/api/v1/cases/${this.current.id}/packages`);
      const packages = Array.isArray(result) ? result : result.items || [];
      this.packagesBox.replaceChildren(...packages.map((p) => this.packageRow(p)));
      if (!packages.length) this.packagesBox.append(el('p', { class: 'muted small' }, 'No package yet.'));
    } catch (error) { toast(error.message); }
  }

  packageRow(pkg) {
    const shares = el('div', { class: 'shares' });
    const issued = el('div', { class: 'issued' });
    const row = el('div', { class: 'package', dataset: { package: pkg.id } },
      el('div', {}, el('strong', {}, `Package ${pkg.id.slice(0, 8)}`), el('span', { class: 'muted small' }, ` ${(pkg.bytes / 1e6).toFixed(1)} MB · key ${pkg.fingerprint.slice(0, 16)}… · ${local(pkg.createdAt)}`)),
      el('table', { class: 'data' }, el('tr', {}, el('th', {}, 'Camera'), el('th', {}, 'Frames'), el('th', {}, 'First – last picture'), el('th', {}, 'Gaps')),
        pkg.cameras.map((c) => el('tr', {}, el('td', {}, c.name), el('td', {}, String(c.frames)), el('td', {}, `${local(c.firstFrame)} – ${local(c.lastFrame)}`),
          el('td', {}, c.gaps.length ? c.gaps.map((g) => `${local(g.from)}–${local(g.until)}`).join(', ') : 'none')))),
      el('div', { class: 'controls' },
        may(this.me, 'evidence:export') ? el('a', { class: 'button', href: `/api/v1/packages/${pkg.id}/download`, dataset: { download: pkg.id } }, 'Download ZIP') : null,
        el('button', { onclick: () => this.verify(pkg.id), dataset: { verify: pkg.id } }, 'Verify'),
        may(this.me, 'evidence:release') ? el('button', { onclick: () => this.share(pkg.id, shares, issued), dataset: { share: pkg.id } }, 'Share with police…') : null),
      issued, shares);
    this.loadShares(pkg.id, shares);
    return row;
  }

  async verify(id) {
    try {
      const result = await api(`/api/v1/packages/${id}/verify`, { method: 'POST' });
      const ok = result.intact === true;
      toast(ok ? `The package verifies: ${result.checkedFiles.length} files match their signed hashes.` : `Verification failed: ${result.failures.join('; ')}`, ok ? 'info' : 'error');
      this.container.dataset.verified = String(ok);
    } catch (error) { toast(error.message); }
  }

  async loadShares(id, box) {
    try {
      const result = await api(`/api/v1/packages/${id}/shares`);
      const links = Array.isArray(result) ? result : result.items || [];
      box.replaceChildren(...links.map((entry) => el('div', { class: 'small share', dataset: { shareLink: entry.link.id, state: entry.state } },
        `${entry.state} · to ${entry.link.recipient} · ${entry.link.downloads ?? 0}/${entry.link.maxDownloads ?? '∞'} downloads · expires ${local(entry.link.expiresAt)} `,
        entry.state === 'active' && may(this.me, 'evidence:release') ? el('button', { onclick: () => this.revoke(entry.link.id, id, box) }, 'Revoke') : null)));
    } catch { /* listed when permitted */ }
  }

  async share(id, box, issued) {
    const recipient = prompt('Recipient (name and agency)', '');
    if (!recipient) return;
    const reason = prompt('Reason for the release', 'Case evidence for the prosecutor') || '';
    try {
      const link = await api(`/api/v1/packages/${id}/shares`, { method: 'POST', body: { recipient, reason, expiresInHours: 72, maxDownloads: 3 } });
      const url = new URL(link.url, location.origin).href;
      this.lastShareURL = url;
      issued.replaceChildren(el('div', { class: 'share-url', id: 'share-url' }, 'Send this link (shown once): ', el('code', {}, url)));
      await this.loadShares(id, box);
    } catch (error) { toast(error.message); }
  }

  async revoke(linkID, id, box) {
    try { await api(`/api/v1/shares/${linkID}`, { method: 'DELETE' }); await this.loadShares(id, box); } catch (error) { toast(error.message); }
  }

  /// Arrived from playback with cameras and a range: pick or create the case, then start the export.
  async exportFromPlayback() {
    const cameras = (this.params.get('cameras') || '').split(',').filter(Boolean);
    const from = Date.parse(this.params.get('from')), until = Date.parse(this.params.get('until'));
    const number = this.params.get('caseNumber') || '';
    let target = number ? (await api(`/api/v1/cases?q=${encodeURIComponent(number)}`).catch(() => ({ items: [] }))).items.find((c) => c.number === number) : null;
    const prefill = { cameras, from, until, purpose: this.params.get('purpose') || '' };
    const lat = Number(this.params.get('lat')), lon = Number(this.params.get('lon'));
    const point = this.params.has('lat') && Number.isFinite(lat) && Number.isFinite(lon) ? { latitude: lat, longitude: lon } : null;
    // A new case opens itself with the export form filled in; opening it again would redraw the form under the user.
    if (!target) { await this.newCase({ number, at: from, location: this.params.get('location') || '', point }, prefill); return; }
    await this.open(target.id, prefill);
  }

  destroy() {
    for (const timer of this.timers) clearInterval(timer);
    if (window.rtccEvidence === this) delete window.rtccEvidence;
  }
}
