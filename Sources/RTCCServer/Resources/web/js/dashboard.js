// The impact dashboard for city leaders: the network, coverage, leads, footage requests, evidence and cases, weapons
// recovered, homicides this year against earlier years and the record year, and the violent-crime trend, for a date
// range; every chart's table downloads as CSV, and the month's report opens as HTML or PDF.
import { api, el, toast } from './api.js';
import { barChart, pairChart } from './charts.js';

let current = null;

export async function enter(container) {
  current = new DashboardScreen(container);
  await current.start();
}

export function leave() {
  current = null;
}

function dayInput(date) { return date.toISOString().slice(0, 10); }
function seconds(value) {
  if (value === null || value === undefined) return '–';
  return value < 120 ? `${Math.round(value)} s` : `${(value / 60).toFixed(1)} min`;
}

class DashboardScreen {
  constructor(container) {
    this.container = container;
    const now = new Date();
    this.from = el('input', { id: 'dash-from', type: 'date', value: `${now.getUTCFullYear()}-01-01` });
    this.until = el('input', { id: 'dash-until', type: 'date', value: dayInput(now) });
    this.month = el('input', { id: 'dash-month', type: 'month', value: dayInput(now).slice(0, 7) });
    this.body = el('div', { id: 'dashboard', class: 'dashboard' });
  }

  async start() {
    const controls = el('form', { class: 'dash-controls', onsubmit: (event) => { event.preventDefault(); this.load(); } },
      el('label', {}, 'From ', this.from), el('label', {}, 'Until ', this.until), el('button', { type: 'submit', id: 'dash-apply' }, 'Show'),
      el('span', { class: 'spacer' }),
      el('label', {}, 'Monthly report ', this.month),
      el('button', { type: 'button', id: 'dash-report-html', onclick: () => this.report('html') }, 'HTML'),
      el('button', { type: 'button', id: 'dash-report-pdf', onclick: () => this.report('pdf') }, 'PDF'));
    this.container.append(el('div', { class: 'dash-screen' }, controls, this.body));
    await this.load();
  }

  range() {
    const from = new Date(`${this.from.value}T00:00:00Z`);
    let until = new Date(`${this.until.value}T00:00:00Z`);
    until = new Date(Math.min(until.getTime() + 86_400_000, Date.now()));
    return `from=${encodeURIComponent(from.toISOString())}&until=${encodeURIComponent(until.toISOString())}`;
  }

  report(format) {
    window.open(`/api/v1/reports/monthly?month=${this.month.value}&format=${format}`, '_blank');
  }

  async load() {
    let d;
    this.body.dataset.ready = '';
    try {
      d = await api(`/api/v1/dashboard?${this.range()}`);
    } catch (error) {
      this.body.replaceChildren(el('p', { class: 'error', id: 'dash-error' }, error.message));
      toast(error.message);
      return;
    }
    this.data = d;
    const csv = (table) => el('a', { class: 'csv small', href: `/api/v1/dashboard/${table}.csv?${this.range()}`, download: `${table}.csv` }, 'CSV');
    const card = (id, title, value, detail, table) => el('section', { class: 'dash-card', id },
      el('h3', {}, title, table ? csv(table) : null), el('div', { class: 'big', dataset: { value: String(value) } }, String(value)), el('div', { class: 'muted small' }, detail));
    const h = d.homicides;
    const lastYear = h.previousYearsToDate.find((y) => y.year === h.year - 1);
    const kinds = Object.entries(d.network.byKind).map(([kind, c]) => `${kind} ${c.online}/${c.total}`).join(' · ');
    const cards = el('div', { class: 'dash-cards' },
      card('card-cameras', 'Cameras online', `${d.network.online}/${d.network.cameras}`, kinds, 'cameras'),
      card('card-partners', 'Partners', d.network.partners, `${d.network.activePartners} active`),
      card('card-alerts', 'Alerts', d.alerts.total, `median ${seconds(d.alerts.medianSecondsToAcknowledge)} to acknowledge · p90 ${seconds(d.alerts.p90SecondsToAcknowledge)}`, 'alerts'),
      card('card-requests', 'Footage requests', d.footageRequests.made, Object.entries(d.footageRequests.byStatus).map(([s, n]) => `${s} ${n}`).join(' · '), 'requests'),
      card('card-packages', 'Evidence released', d.evidence.releases, `${d.evidence.packages} packages`, 'evidence'),
      card('card-cases', 'Cases assisted', d.evidence.casesAssisted, `${d.evidence.casesOpened} opened · ${d.evidence.arrests} arrests`),
      card('card-weapons', 'Weapons recovered', d.weapons.recovered, `${d.weapons.rtccAssisted} with RTCC help`, 'weapons'),
      card('card-homicides', `Homicides ${h.year}`, h.yearToDate,
        `${lastYear ? `${lastYear.count} by this date in ${lastYear.year}` : 'no earlier year'}${h.record ? ` · record ${h.record.count} in ${h.record.year}` : ''}`, 'homicides'));
    const kindsSeen = [...new Set(d.alerts.perDay.flatMap((day) => Object.keys(day.byKind)))].sort();
    const every = Math.max(1, Math.ceil(d.alerts.perDay.length / 12));
    const alertChart = barChart(d.alerts.perDay.map((day) => ({ label: day.day.slice(5), values: day.byKind })),
      { title: 'Alerts per day by type', series: kindsSeen.length ? kindsSeen : ['none'], labelEvery: every });
    alertChart.id = 'chart-alerts';
    const years = [...h.fullYears.slice(-12).map((y) => ({ label: String(y.year), value: y.count, highlight: h.record && y.year === h.record.year })),
      { label: `${h.year} to date`, value: h.yearToDate }];
    const homicideChart = barChart(years, { title: 'Homicides by year (record year in red)' });
    homicideChart.id = 'chart-homicides';
    const trendChart = pairChart(d.trend.map((m) => m.month.slice(2)), d.trend.map((m) => m.violent), d.trend.map((m) => m.yearBefore),
      { title: 'Violent crime per month, against a year before' });
    trendChart.id = 'chart-trend';
    const coverage = el('table', { class: 'data', id: 'dash-coverage' }, el('tr', {}, el('th', {}, 'Area'), el('th', {}, 'in view'), el('th', {}, 'identify')),
      ...d.coverage.map((a) => el('tr', {}, el('td', {}, a.name), el('td', { class: 'percent' }, `${a.percent.toFixed(1)} %`), el('td', { class: 'percent' }, `${a.identifyPercent.toFixed(1)} %`))));
    const panel = (title, table, ...content) => el('section', { class: 'dash-panel' }, el('h3', {}, title, table ? csv(table) : null), ...content);
    this.body.replaceChildren(cards, el('div', { class: 'dash-panels' },
      panel('Alerts', 'alerts', alertChart), panel('Homicides', 'homicides', homicideChart), panel('Violent crime', 'trend', trendChart),
      panel('Coverage', 'coverage', coverage)));
    this.body.dataset.ready = '1';
  }
}
