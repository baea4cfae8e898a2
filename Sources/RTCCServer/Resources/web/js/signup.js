// The public sign-up page: register cameras, confirm the e-mail address (?verify=), set the partner password (?activate=).
import { api, el } from './api.js';

const tiers = [['registered', 'Registered only (location; footage on request to me)'], ['on_request', 'Footage on request'],
  ['live', 'Live 24/7'], ['alarm_only', 'Live during alarms only']];
let termsVersion = '';

function message(text, kind = 'ok') {
  const box = document.getElementById('message');
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
}

function cameraRow(index) {
  const tier = el('select', { class: 'cam-sharing' }, tiers.map(([value, label]) => el('option', { value }, label)));
  return el('fieldset', { class: 'camera-row' },
    el('legend', {}, `Camera ${index + 1}`),
    el('label', {}, 'Name', el('input', { class: 'cam-label', required: true, maxlength: 80, placeholder: 'Front door' })),
    el('label', {}, 'Latitude', el('input', { class: 'cam-lat', type: 'number', step: 'any', required: true })),
    el('label', {}, 'Longitude', el('input', { class: 'cam-lon', type: 'number', step: 'any', required: true })),
    el('label', {}, 'Looks towards (compass degrees)', el('input', { class: 'cam-heading', type: 'number', min: 0, max: 359, value: 0 })),
    el('label', {}, 'Sharing', tier));
}

function addCamera() {
  const list = document.getElementById('cameras');
  list.append(cameraRow(list.children.length));
}

function number(input) { return input.value === '' ? NaN : Number(input.value); }

async function submit(event) {
  event.preventDefault();
  const errors = document.getElementById('errors');
  errors.hidden = true;
  const value = (id) => document.getElementById(id).value.trim();
  const body = {
    kind: value('kind'), name: value('name'), contactName: value('contactName'), email: value('email'), address: value('address'),
    termsVersion, acceptTerms: document.getElementById('acceptTerms').checked,
    retentionDays: Number(value('retentionDays') || 30),
    cameras: [...document.querySelectorAll('.camera-row')].map((row) => ({
      label: row.querySelector('.cam-label').value.trim(),
      location: { latitude: number(row.querySelector('.cam-lat')), longitude: number(row.querySelector('.cam-lon')) },
      headingDeg: Number(row.querySelector('.cam-heading').value || 0),
      sharing: row.querySelector('.cam-sharing').value,
    })),
  };
  if (value('phone')) body.phone = value('phone');
  for (const camera of body.cameras) {
    // JSON has no NaN: send null so the server names the field.
    if (Number.isNaN(camera.location.latitude)) camera.location.latitude = null;
    if (Number.isNaN(camera.location.longitude)) camera.location.longitude = null;
  }
  const button = document.getElementById('signup-submit');
  button.disabled = true;
  try {
    const accepted = await api('/api/v1/community/applications', { method: 'POST', body });
    document.getElementById('signup-form').hidden = true;
    message(`Thank you. ${accepted.message[0].toUpperCase()}${accepted.message.slice(1)}.`);
  } catch (failure) {
    const items = (failure.problem?.errors || []).map((e) => el('li', {}, `${e.field}: ${e.reason}`));
    errors.replaceChildren(...(items.length ? items : [el('li', {}, failure.message)]));
    errors.hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function verify(token) {
  document.getElementById('signup-form').hidden = true;
  try {
    const result = await api('/api/v1/community/verify', { method: 'POST', body: { token } });
    message(`${result.message[0].toUpperCase()}${result.message.slice(1)}.`);
  } catch (failure) {
    message(`This link did not work: ${failure.message}.`, 'error');
  }
}

function activate(token) {
  document.getElementById('signup-form').hidden = true;
  const form = document.getElementById('activate-form');
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const result = await api('/api/v1/community/activate', { method: 'POST', body: { token, password: document.getElementById('activate-password').value } });
      form.hidden = true;
      message(`Your password is set. Sign in as ${result.username} at the staff sign-in to open your owner portal.`);
    } catch (failure) {
      message(`The password could not be set: ${failure.message}.`, 'error');
    }
  });
}

async function start() {
  const params = new URLSearchParams(location.search);
  if (params.get('verify')) return verify(params.get('verify'));
  if (params.get('activate')) return activate(params.get('activate'));
  addCamera();
  document.getElementById('add-camera').addEventListener('click', addCamera);
  document.getElementById('signup-form').addEventListener('submit', submit);
  try {
    const report = await api('/api/v1/transparency');
    termsVersion = report.policy.termsVersion;
    document.getElementById('terms-version').textContent = `(version ${termsVersion})`;
    document.getElementById('terms').replaceChildren(...report.policy.terms.map((term) => el('li', {}, term)));
  } catch (failure) {
    message(`The terms could not be loaded: ${failure.message}`, 'error');
  }
}

start();
