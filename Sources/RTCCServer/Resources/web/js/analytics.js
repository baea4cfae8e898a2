// On-camera analytics settings: motion zones drawn on the camera's picture, sensitivity, minimum area, the hours and
// days they apply, the cool-down, and object-detection rules ("person in the lot after 22:00", "loitering > 60 s")
// for a DeepStack / CodeProject.AI service. Saved with PUT /api/v1/cameras/{id}/analytics; the server checks them.
import { api, el, toast, allCameras } from './api.js';
import { outlineStage } from './picture-outline.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const minutes = (text, fallback) => { const [h, m] = (text || '').split(':').map(Number); return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : fallback; };
const clock = (value) => `${String(Math.floor(value / 60) % 24).padStart(2, '0')}:${String(value % 60).padStart(2, '0')}`;
const zoneTime = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const defaults = () => ({
  enabled: true, fps: 2, width: 320, cooldownSeconds: 60,
  motion: { zones: [], sensitivity: 50, minimumArea: 0.01 },
  schedule: { startMinute: 0, endMinute: 1440, days: [], timeZone: zoneTime },
});

/** Shows the analytics editor in `host`: a camera chooser, then the chosen camera's settings. */
export async function openAnalytics(host) {
  const cameras = (await allCameras()).sort((a, b) => a.name.localeCompare(b.name));
  const chooser = el('select', { id: 'analytics-camera', 'aria-label': 'Camera' },
    el('option', { value: '' }, 'Choose a camera…'), cameras.map((camera) => el('option', { value: camera.id }, camera.name)));
  const body = el('div', { id: 'analytics-body' });
  let shown = 0;
  chooser.addEventListener('change', async () => {
    const camera = cameras.find((c) => c.id === chooser.value);
    const turn = ++shown;
    body.replaceChildren();
    if (!camera) return;
    const panel = await editor(camera);
    if (turn === shown) body.append(panel); // a camera chosen meanwhile wins
  });
  host.replaceChildren(el('section', { class: 'analytics-editor', id: 'analytics-editor' },
    el('h2', {}, 'Camera analytics'),
    el('p', { class: 'muted' }, 'Motion in a zone, during the hours chosen, raises an alert that bookmarks the camera\'s recording. '
      + 'With a detection service, pictures with motion are also checked for objects against the rules below.'),
    chooser, body));
}

async function editor(camera) {
  const stored = (await api(`/api/v1/cameras/${camera.id}/analytics`)).settings;
  const settings = stored ? structuredClone(stored) : defaults();
  const zones = settings.motion.zones.map((zone) => ({ name: zone.name, polygon: zone.polygon.map((p) => ({ ...p })) }));
  let current = [];
  const { stage, show } = outlineStage(camera, { stageClass: 'zone-stage', overlayClass: 'zone-overlay', onPoint: (point) => { current.push(point); draw(); } });
  const status = el('span', { class: 'muted zone-status' });
  const zoneName = el('input', { id: 'zone-name', placeholder: 'Zone name (e.g. lot)', 'aria-label': 'Zone name', value: `zone ${zones.length + 1}` });
  const zoneList = el('ul', { class: 'zone-list', id: 'zone-list' });
  const rules = el('tbody', { id: 'rule-rows' });
  const draw = () => {
    show(zones.map((z) => z.polygon), current);
    zoneList.replaceChildren(...zones.map((zone, index) => el('li', { dataset: { zone: zone.name } }, `${zone.name} (${zone.polygon.length} points) `,
      el('button', { class: 'ghost small', onclick: () => { zones.splice(index, 1); draw(); } }, 'Remove'))));
    status.textContent = `${zones.length} zone(s)${current.length ? `, ${current.length} point(s) of a new one` : ''}`;
    for (const select of rules.querySelectorAll('select.rule-zone')) fillZones(select, select.value);
  };
  // A rule's zone is one of the motion zones, or its own (set through the API), which is kept as it is.
  const fillZones = (select, chosen) => {
    const own = select.ruleZone && !zones.some((z) => z.name === select.ruleZone.name) ? [select.ruleZone] : [];
    select.replaceChildren(...[...zones, ...own].map((z) => el('option', { value: z.name, selected: z.name === chosen }, own.includes(z) ? `${z.name} (rule's own)` : z.name)));
  };
  const closeZone = () => {
    if (current.length < 3) { toast('Click at least three corners of the zone on the picture.', 'info'); return; }
    const name = zoneName.value.trim() || `zone ${zones.length + 1}`;
    if (zones.some((z) => z.name === name)) { toast(`There is already a zone called "${name}".`, 'info'); return; }
    zones.push({ name, polygon: current });
    current = [];
    zoneName.value = `zone ${zones.length + 1}`;
    draw();
  };

  const input = (id, label, attributes) => el('label', {}, `${label} `, el('input', { id, ...attributes }));
  const enabled = el('input', { type: 'checkbox', id: 'analytics-enabled', checked: settings.enabled });
  const sensitivity = input('analytics-sensitivity', 'Sensitivity (1–100)', { type: 'number', min: 1, max: 100, value: settings.motion.sensitivity });
  const area = input('analytics-area', 'Minimum area (% of the zone)', { type: 'number', min: 0.1, max: 100, step: 0.1, value: +(settings.motion.minimumArea * 100).toFixed(2) });
  const fps = input('analytics-fps', 'Frames per second', { type: 'number', min: 0.5, max: 10, step: 0.1, value: settings.fps });
  const cooldown = input('analytics-cooldown', 'Cool-down (s)', { type: 'number', min: 0, max: 86400, value: settings.cooldownSeconds });
  const from = input('analytics-from', 'From', { type: 'time', value: clock(settings.schedule.startMinute) });
  const until = input('analytics-until', 'until', { type: 'time', value: clock(settings.schedule.endMinute) });
  const days = DAYS.map((day, index) => el('label', { class: 'day' },
    el('input', { type: 'checkbox', value: index + 1, checked: settings.schedule.days.includes(index + 1) }), day));
  const timeZone = input('analytics-tz', 'Time zone', { value: settings.schedule.timeZone, size: 18 });
  const detectionURL = input('analytics-detector', 'Detection service', { placeholder: 'http://detector:5000 (none: motion only)', size: 32, value: settings.detection?.url ?? '' });
  const interval = input('analytics-interval', 'At most one request every (s)', { type: 'number', min: 0.2, max: 3600, step: 0.1, value: settings.detection?.intervalSeconds ?? 1 });

  const addRule = (rule = { name: '', label: 'person', zone: { name: zones[0]?.name }, minimumConfidence: 0.5, loiterSeconds: 0, schedule: { startMinute: 0, endMinute: 1440 } }) => {
    const zoneSelect = el('select', { class: 'rule-zone', 'aria-label': 'Rule zone' });
    if (rule.zone?.polygon?.length) zoneSelect.ruleZone = rule.zone;
    fillZones(zoneSelect, rule.zone?.name);
    const row = el('tr', { class: 'rule' },
      el('td', {}, el('input', { class: 'rule-name', 'aria-label': 'Rule name', placeholder: 'Person in the lot after 22:00', value: rule.name })),
      el('td', {}, el('input', { class: 'rule-label', 'aria-label': 'Object', size: 8, value: rule.label })),
      el('td', {}, zoneSelect),
      el('td', {}, el('input', { class: 'rule-from', type: 'time', 'aria-label': 'From', value: clock(rule.schedule.startMinute) }), ' – ',
        el('input', { class: 'rule-until', type: 'time', 'aria-label': 'Until', value: clock(rule.schedule.endMinute) })),
      el('td', {}, el('input', { class: 'rule-loiter', type: 'number', min: 0, max: 86400, size: 5, 'aria-label': 'Loitering seconds', value: rule.loiterSeconds })),
      el('td', {}, el('input', { class: 'rule-confidence', type: 'number', min: 0, max: 1, step: 0.05, size: 4, 'aria-label': 'Minimum confidence', value: rule.minimumConfidence })),
      el('td', {}, el('button', { class: 'ghost small', onclick: () => row.remove() }, 'Remove')));
    row.rule = rule;
    rules.append(row);
  };
  for (const rule of settings.detection?.rules ?? []) addRule(rule);

  const value = (label) => label.querySelector('input').value;
  const collect = () => {
    const schedule = {
      startMinute: minutes(value(from), 0), endMinute: minutes(value(until), 1440) || 1440,
      days: days.map((d) => d.querySelector('input')).filter((box) => box.checked).map((box) => Number(box.value)), timeZone: value(timeZone).trim(),
    };
    if (schedule.startMinute === 0 && schedule.endMinute === 0) schedule.endMinute = 1440;
    const body = {
      enabled: enabled.checked, fps: Number(value(fps)), width: settings.width ?? 320, cooldownSeconds: Number(value(cooldown)),
      motion: { zones, sensitivity: Number(value(sensitivity)), minimumArea: Number(value(area)) / 100 }, schedule,
    };
    const url = value(detectionURL).trim();
    const rows = [...rules.querySelectorAll('tr.rule')];
    if (!url && rows.length) throw new Error('Give the detection service\'s address, or remove the detection rules.');
    if (url) {
      body.detection = {
        url, intervalSeconds: Number(value(interval)),
        rules: rows.map((row) => {
          const select = row.querySelector('.rule-zone');
          const zone = zones.find((z) => z.name === select.value) ?? (select.ruleZone?.name === select.value ? select.ruleZone : null);
          const name = row.querySelector('.rule-name').value.trim();
          if (!zone) throw new Error(`Choose a zone for the rule "${name || 'unnamed'}" (draw one first).`);
          return {
            name, label: row.querySelector('.rule-label').value.trim(),
            zone, minimumConfidence: Number(row.querySelector('.rule-confidence').value),
            loiterSeconds: Number(row.querySelector('.rule-loiter').value),
            schedule: { startMinute: minutes(row.querySelector('.rule-from').value, 0), endMinute: minutes(row.querySelector('.rule-until').value, 1440) || 1440,
              days: row.rule.schedule?.days ?? [], timeZone: row.rule.schedule?.timeZone ?? schedule.timeZone },
          };
        }),
      };
    }
    return body;
  };
  const saved = el('span', { class: 'muted small', id: 'analytics-saved' }, stored ? 'Saved settings loaded.' : 'No analytics yet on this camera.');
  const save = async () => {
    if (current.length >= 3) closeZone();
    try {
      const answer = await api(`/api/v1/cameras/${camera.id}/analytics`, { method: 'PUT', body: collect() });
      saved.textContent = `Saved by ${answer.updatedBy}. ${answer.settings.enabled ? 'Watched from now on while the camera is shared live.' : 'Analytics are off.'}`;
      saved.dataset.saved = 'yes';
      toast(`Analytics saved for ${camera.name}.`, 'ok');
    } catch (failure) {
      toast(failure.message);
    }
  };

  const panel = el('div', { class: 'analytics-camera', dataset: { camera: camera.id } },
    el('h3', {}, camera.name),
    el('label', {}, enabled, ' Analytics on'),
    el('h4', {}, 'Motion zones'),
    el('p', { class: 'muted small' }, 'Click the corners of an area on the picture, name it, then "Add zone". Motion elsewhere is ignored.'),
    stage,
    el('div', { class: 'row-actions' }, zoneName, el('button', { class: 'ghost zone-add', onclick: closeZone }, 'Add zone'),
      el('button', { class: 'ghost zone-undo', onclick: () => { current.pop(); draw(); } }, 'Undo point'), status),
    zoneList,
    el('div', { class: 'analytics-fields' }, sensitivity, area, fps, cooldown),
    el('h4', {}, 'When'),
    el('div', { class: 'analytics-fields' }, from, until, el('span', { class: 'days' }, days), timeZone,
      el('span', { class: 'muted small' }, 'No day ticked: every day. An end before the start runs past midnight.')),
    el('h4', {}, 'Object detection'),
    el('div', { class: 'analytics-fields' }, detectionURL, interval),
    el('table', { class: 'data rules' },
      el('thead', {}, el('tr', {}, ['Rule', 'Object', 'Zone', 'Hours', 'Loitering (s)', 'Min. confidence', ''].map((h) => el('th', {}, h)))), rules),
    el('div', { class: 'row-actions' }, el('button', { class: 'ghost rule-add', onclick: () => addRule() }, 'Add rule'),
      el('button', { class: 'analytics-save', onclick: save }, 'Save analytics'), saved));
  draw();
  return panel;
}
