// Caravan console: plain JavaScript, no build step, no third-party code. Every figure comes from the
// ops API with the signed-in user's HTTP Basic credentials, held in memory only. Data is put into the
// page as text (textContent, SVG attributes), never as HTML. Sections whose API is missing (404) say
// which endpoint they need instead of failing.
'use strict';

(() => {
  const state = { auth: null, me: null, routes: null, section: null };
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const OUTCOMES = [
    ['rowsDelivered', 'delivered', 'var(--delivered)'],
    ['rowsConsentFiltered', 'consent-filtered', 'var(--consent)'],
    ['rowsSuppressed', 'suppressed', 'var(--suppressed)'],
    ['rowsDuplicate', 'duplicate', 'var(--duplicate)'],
    ['rowsRejected', 'rejected', 'var(--rejected)'],
  ];
  const int = new Intl.NumberFormat('en-GB');

  // ---- DOM helpers -------------------------------------------------------------------------------

  function build(ns, tag, attrs, children) {
    const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }
  const h = (tag, attrs, ...children) => build(null, tag, attrs, children);
  const s = (tag, attrs, ...children) => build(SVG, tag, attrs, children);

  function money(amount, currency, digits) {
    if (amount === null || amount === undefined) return '–';
    const n = Number(amount);
    const fraction = digits !== undefined ? digits : n >= 1000 || Number.isInteger(n) ? 0 : 2;
    try {
      return new Intl.NumberFormat('en-GB', currency ? { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: fraction }
        : { maximumFractionDigits: 2 }).format(n);
    } catch (e) {
      return int.format(n) + (currency ? ' ' + currency : '');
    }
  }
  function when(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  }
  function seconds(batch) {
    if (!batch.startedAt || !batch.finishedAt) return '–';
    const ms = new Date(batch.finishedAt) - new Date(batch.startedAt);
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }
  const badge = (text) => h('span', { class: 'badge ' + text, text });
  const empty = (text) => h('p', { class: 'empty', text });

  function flash(text, bad) {
    const el = $('flash');
    el.textContent = text;
    el.className = 'flash' + (bad ? ' bad' : '');
    el.hidden = false;
  }

  // ---- API ---------------------------------------------------------------------------------------

  class ApiFailure extends Error {
    constructor(status, body) {
      super((body && body.error) || ('HTTP ' + status));
      this.status = status;
      this.body = body;
    }
  }

  async function api(path, method, json) {
    const headers = { Authorization: state.auth, 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method: method || 'GET',
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      credentials: 'omit',
      cache: 'no-store',
    });
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (res.status === 401 && state.me) {
      signOut('Please sign in again.');
    }
    if (!res.ok) throw new ApiFailure(res.status, body);
    return body;
  }

  /** Shows why a section has nothing: its endpoint is missing in this build, or the call failed. */
  function unavailable(err, endpoint) {
    if (err instanceof ApiFailure && err.status === 404) {
      return empty('Not available in this build of Caravan: this section needs ' + endpoint + '.');
    }
    if (err instanceof ApiFailure && err.status === 403) {
      return empty('Your role may not see this section.');
    }
    return empty('Could not load this section (' + err.message + ').');
  }

  // ---- sign in / out ------------------------------------------------------------------------------

  function basic(user, password) {
    const bytes = new TextEncoder().encode(user + ':' + password);
    let binary = '';
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return 'Basic ' + btoa(binary);
  }

  async function signIn(event) {
    event.preventDefault();
    const password = $('login-password');
    state.auth = basic($('login-user').value, password.value);
    password.value = '';
    $('login-error').textContent = '';
    try {
      state.me = await api('/api/me');
    } catch (err) {
      state.auth = null;
      $('login-error').textContent = err.status === 401 ? 'User or password is wrong.' : 'Sign-in failed (' + err.message + ').';
      return;
    }
    $('who').textContent = state.me.name + ' · ' + (isOperator() ? 'operator' : 'viewer');
    $('login').hidden = true;
    $('app').hidden = false;
    if (!location.hash) location.hash = '#/dashboard';
    render();
  }

  function signOut(message) {
    state.auth = null;
    state.me = null;
    state.routes = null;
    state.section = null;
    $('app').hidden = true;
    $('main').replaceChildren();
    $('login').hidden = false;
    $('login-error').textContent = typeof message === 'string' ? message : '';
  }

  const isOperator = () => !!state.me && state.me.roles.includes('operator');

  // ---- router ------------------------------------------------------------------------------------

  async function render() {
    if (!state.me) return;
    const [section, arg] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
    const name = section || 'dashboard';
    document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.section === name));
    const main = $('main');
    if (state.section !== location.hash.split('?')[0]) {
      main.replaceChildren(h('p', { class: 'muted', text: 'Loading…' })); // a refresh keeps the old view until the new one is ready
    }
    state.section = location.hash.split('?')[0];
    const views = { dashboard, routes, batches, privacy, partners, overlaps, record, lineage, preview };
    let view;
    try {
      if (name === 'batches' && arg) view = await batch(decodeURIComponent(arg));
      else if (name === 'partners' && arg) view = await partner(decodeURIComponent(arg));
      else view = await (views[name] || dashboard)();
    } catch (err) {
      view = unavailable(err, 'the ops API');
    }
    if (state.me) main.replaceChildren(view);
  }

  // ---- charts ------------------------------------------------------------------------------------

  /** A horizontal stacked bar of a batch's outcomes; each part has a tooltip with its count. */
  function ledgerBar(batch, width, height) {
    const total = OUTCOMES.reduce((sum, [key]) => sum + (batch[key] || 0), 0);
    const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'ledger-bar', role: 'img',
      'aria-label': 'ledger of ' + batch.batchId });
    svg.append(s('rect', { x: 0, y: 0, width, height, rx: 3, fill: '#eef1f5' }));
    let x = 0;
    for (const [key, label, color] of OUTCOMES) {
      const n = batch[key] || 0;
      if (!n || !total) continue;
      const w = Math.max(1, (n / total) * width);
      svg.append(s('rect', { x, y: 0, width: w, height, fill: color, 'data-outcome': label, 'data-count': n },
        s('title', { text: `${label}: ${int.format(n)}` })));
      x += w;
    }
    return svg;
  }

  function legend(entries) {
    return h('div', { class: 'legend' }, entries.map(([label, color, n]) =>
      h('span', {}, h('i', { class: 'swatch', 'data-color': color }), n === undefined ? label : `${label} ${int.format(n)}`)));
  }

  /** Colours legend swatches through the CSSOM (allowed by the page's Content-Security-Policy). */
  function paintSwatches(root) {
    root.querySelectorAll('i.swatch').forEach((i) => { i.style.background = i.dataset.color; });
    return root;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p;
    return 10 * p;
  }

  /**
   * One model's weeks: spend as bars (left axis), sales as a line with dots (right axis); every
   * week's tooltip holds spend, sales and cost per sale.
   */
  function spendSalesChart(model, weeks, byWeek, currency) {
    const W = 420, H = 210, L = 58, R = 34, T = 14, B = 36;
    const iw = W - L - R, ih = H - T - B;
    const points = weeks.map((w) => byWeek.get(w) || { week: w, spend: 0, sales: 0, costPerSale: null });
    const maxSpend = niceMax(Math.max(...points.map((p) => p.spend)));
    const maxSales = Math.max(4, Math.ceil(Math.max(...points.map((p) => p.sales)) / 4) * 4); // whole vehicles per tick
    const step = iw / Math.max(1, weeks.length);
    const svg = s('svg', { width: '100%', viewBox: `0 0 ${W} ${H}`, class: 'spend-sales-chart', 'data-model': model,
      role: 'img', 'aria-label': `spend and sales of ${model} per week` });
    for (let i = 0; i <= 4; i++) {
      const y = T + ih - (ih * i) / 4;
      svg.append(s('line', { x1: L, x2: L + iw, y1: y, y2: y, stroke: '#e6ebf0' }));
      svg.append(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', text: money(Math.round((maxSpend * i) / 4), currency, 0) }));
      svg.append(s('text', { x: L + iw + 6, y: y + 4, text: int.format((maxSales * i) / 4) }));
    }
    const line = [];
    points.forEach((p, i) => {
      const x = L + i * step;
      const bh = (p.spend / maxSpend) * ih;
      const tip = `week of ${p.week}: spend ${money(p.spend, currency)}, ${p.sales} sold, cost per sale ${money(p.costPerSale, currency)}`;
      svg.append(s('rect', { x: x + step * 0.15, y: T + ih - bh, width: step * 0.7, height: Math.max(0, bh),
        fill: 'var(--spend)', opacity: 0.85, class: 'spend-bar', 'data-week': p.week, 'data-spend': p.spend }, s('title', { text: tip })));
      line.push([x + step / 2, T + ih - (p.sales / maxSales) * ih, tip, p]);
      if (weeks.length <= 12 || i % Math.ceil(weeks.length / 12) === 0) {
        svg.append(s('text', { x: x + step / 2, y: H - B + 14, 'text-anchor': 'middle', text: p.week.slice(5) }));
      }
    });
    svg.append(s('polyline', { points: line.map(([x, y]) => `${x},${y}`).join(' '), fill: 'none', stroke: 'var(--sales)', 'stroke-width': 2 }));
    for (const [x, y, tip, p] of line) {
      svg.append(s('circle', { cx: x, cy: y, r: 3.5, fill: 'var(--sales)', class: 'sales-dot', 'data-week': p.week, 'data-sales': p.sales },
        s('title', { text: tip })));
    }
    svg.append(s('text', { x: L, y: H - 4, text: 'week (Monday)' }));
    svg.append(s('text', { x: W - 4, y: H - 4, 'text-anchor': 'end', text: 'sold →' }));
    return svg;
  }

  /** Horizontal bars of cost per sale by model, cheapest first. */
  function costPerSaleChart(models, currency) {
    const rows = models.filter((m) => m.costPerSale !== null).sort((a, b) => a.costPerSale - b.costPerSale);
    const W = 760, rowH = 24, L = 140, R = 90;
    const H = rows.length * rowH + 8;
    const max = niceMax(Math.max(1, ...rows.map((m) => m.costPerSale)));
    const svg = s('svg', { width: '100%', viewBox: `0 0 ${W} ${H}`, class: 'cost-per-sale-chart', role: 'img', 'aria-label': 'cost per sale by model' });
    rows.forEach((m, i) => {
      const y = 4 + i * rowH;
      const w = ((W - L - R) * m.costPerSale) / max;
      svg.append(s('text', { x: L - 8, y: y + 15, 'text-anchor': 'end', class: 'label-strong', text: m.name }));
      svg.append(s('rect', { x: L, y: y + 3, width: Math.max(1, w), height: rowH - 8, rx: 2, fill: 'var(--spend)', opacity: 0.8,
        'data-model': m.key }, s('title', { text: `${m.name}: ${money(m.spend, currency)} for ${m.sales} sold` })));
      svg.append(s('text', { x: L + w + 6, y: y + 15, text: money(m.costPerSale, currency) + ' per sale' }));
    });
    return svg;
  }

  // ---- sections ----------------------------------------------------------------------------------

  async function dashboard() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const query = new URLSearchParams();
    if (params.get('from')) query.set('from', params.get('from'));
    if (params.get('to')) query.set('to', params.get('to'));
    const root = h('section', { id: 'dashboard' }, h('h1', { text: 'Media spend versus sales' }),
      h('p', { class: 'muted', text: 'Ad spend of taxonomy-valid campaigns against dealer sales, per ISO week and model '
        + '(campaign model segments and dealer model names are matched case- and punctuation-insensitively). '
        + 'Analysts: caravan.media_spend_vs_sales.' }));
    const from = h('input', { type: 'date', id: 'mvs-from', value: params.get('from') || '' });
    const to = h('input', { type: 'date', id: 'mvs-to', value: params.get('to') || '' });
    root.append(h('div', { class: 'filters' }, h('label', {}, 'From', from), h('label', {}, 'To', to),
      h('button', { id: 'mvs-apply', text: 'Apply', onclick: () => {
        const q = new URLSearchParams();
        if (from.value) q.set('from', from.value);
        if (to.value) q.set('to', to.value);
        location.hash = '#/dashboard' + (q.toString() ? '?' + q : '');
      } })));
    let data;
    try {
      data = await api('/api/dashboards/media-vs-sales' + (query.toString() ? '?' + query : ''));
    } catch (err) {
      root.append(unavailable(err, 'GET /api/dashboards/media-vs-sales'));
      return root;
    }
    const rows = data.rows || [];
    if (!rows.length) {
      root.append(empty('No campaign spend or sales in this period yet. Spend comes from ad-platform connectors '
        + '(campaign_performance), sales from dealer exports (sale).'));
      return root;
    }
    const currencies = [...new Set(rows.map((r) => r.currency).filter(Boolean))];
    const currency = currencies.length === 1 ? currencies[0] : null;
    const weeks = [...new Set(rows.map((r) => r.week))].sort();
    const models = new Map();
    for (const r of rows) {
      const m = models.get(r.model) || { key: r.model, name: r.modelName || r.model, spend: 0, sales: 0, byWeek: new Map() };
      const w = m.byWeek.get(r.week) || { week: r.week, spend: 0, sales: 0, costPerSale: null };
      w.spend += Number(r.spend);
      w.sales = Math.max(w.sales, r.sales); // a week's sales repeat on each of its currency rows
      w.costPerSale = w.sales ? w.spend / w.sales : null;
      m.byWeek.set(r.week, w);
      models.set(r.model, m);
    }
    for (const m of models.values()) {
      m.spend = [...m.byWeek.values()].reduce((a, w) => a + w.spend, 0);
      m.sales = [...m.byWeek.values()].reduce((a, w) => a + w.sales, 0);
      m.costPerSale = m.sales && m.spend ? m.spend / m.sales : null;
    }
    const list = [...models.values()].sort((a, b) => b.spend - a.spend || b.sales - a.sales);
    const totalSpend = list.reduce((a, m) => a + m.spend, 0);
    const advertised = list.filter((m) => m.spend > 0);
    const advertisedSales = advertised.reduce((a, m) => a + m.sales, 0);
    root.append(h('div', { class: 'kpis' },
      kpi('Media spend', money(totalSpend, currency)),
      kpi('Vehicles sold (advertised models)', int.format(advertisedSales)),
      kpi('Cost per sale', advertisedSales ? money(totalSpend / advertisedSales, currency) : '–'),
      kpi('Weeks', int.format(weeks.length))));
    if (currencies.length > 1) {
      root.append(h('p', { class: 'error', text: 'Spend is in several currencies (' + currencies.join(', ') + '); totals add them as they are.' }));
    }
    if (advertised.some((m) => m.costPerSale !== null)) {
      root.append(h('div', { class: 'card' }, h('h3', { text: 'Cost per sale by model' }), costPerSaleChart(advertised, currency)));
    }
    root.append(paintSwatches(legend([['media spend (bars, left axis)', 'var(--spend)'], ['vehicles sold (line, right axis)', 'var(--sales)']])));
    const charts = h('div', { class: 'charts' });
    for (const m of advertised) {
      charts.append(h('div', { class: 'card model-chart', 'data-model': m.key },
        h('h3', {}, m.name, h('span', { class: 'muted', text: ` · ${money(m.spend, currency)} · ${int.format(m.sales)} sold · `
          + (m.costPerSale === null ? 'no cost per sale' : money(m.costPerSale, currency) + ' per sale') })),
        spendSalesChart(m.key, weeks, m.byWeek, currency)));
    }
    root.append(charts);
    if (list.length > advertised.length) {
      root.append(h('p', { class: 'muted', text: `${list.length - advertised.length} model(s) sold without media spend in this period are listed below.` }));
    }
    root.append(h('h2', { text: 'By model' }), h('table', { id: 'mvs-table' },
      h('thead', {}, h('tr', {}, h('th', { text: 'Model' }), h('th', { class: 'num', text: 'Spend' }),
        h('th', { class: 'num', text: 'Sold' }), h('th', { class: 'num', text: 'Cost per sale' }))),
      h('tbody', {}, list.map((m) => h('tr', {}, h('td', { text: m.name }), h('td', { class: 'num', text: m.spend ? money(m.spend, currency) : '–' }),
        h('td', { class: 'num', text: int.format(m.sales) }), h('td', { class: 'num', text: money(m.costPerSale, currency) }))))));
    return root;
  }

  function kpi(label, value) {
    return h('div', { class: 'kpi' }, h('div', { class: 'value', text: value }), h('div', { class: 'label', text: label }));
  }

  function schedule(s) {
    if (!s) return 'on demand';
    if (s.type === 'cron') return 'cron ' + s.cron;
    const ms = s.intervalMillis || 0;
    const every = ms % 3600000 === 0 ? ms / 3600000 + ' h' : ms % 60000 === 0 ? ms / 60000 + ' min' : ms / 1000 + ' s';
    return (s.type === 'poll' ? 'polls inbox every ' : 'every ') + every;
  }

  function counts(b) {
    return `${int.format(b.rowsIn)} in · ${int.format(b.rowsDelivered)} delivered · ${int.format(b.rowsRejected)} rejected`
      + (b.rowsConsentFiltered ? ` · ${int.format(b.rowsConsentFiltered)} consent-filtered` : '')
      + (b.rowsSuppressed ? ` · ${int.format(b.rowsSuppressed)} suppressed` : '')
      + (b.rowsDuplicate ? ` · ${int.format(b.rowsDuplicate)} duplicate` : '');
  }

  async function routes() {
    const list = await api('/api/routes');
    state.routes = list;
    const root = h('section', { id: 'routes' }, h('h1', { text: 'Routes' }),
      h('p', { class: 'muted', text: isOperator() ? 'Run now starts a sync immediately (one run of a route at a time).'
        : 'You are signed in as a viewer: running routes needs the operator role.' }));
    if (!list.length) {
      root.append(empty('No partner routes are loaded.'));
    } else {
      root.append(h('table', { id: 'routes-table' },
        h('thead', {}, h('tr', {}, ['Route', 'Partner', 'Schedule', 'State', 'Last batch', ''].map((t) => h('th', { text: t })))),
        h('tbody', {}, list.map((r) => h('tr', { 'data-route': r.id },
          h('td', {}, h('strong', { text: r.id }), h('div', { class: 'muted', text: r.description || '' })),
          h('td', { text: r.partner }),
          h('td', { text: schedule(r.schedule) }),
          h('td', {}, badge(r.state)),
          h('td', {}, r.lastBatch ? [h('a', { href: '#/batches/' + encodeURIComponent(r.lastBatch.batchId) }, badge(r.lastBatch.status),
            ' ', when(r.lastBatch.startedAt)), h('div', {}, ledgerBar(r.lastBatch, 220, 10)),
          h('div', { class: 'muted', text: counts(r.lastBatch) })] : h('span', { class: 'muted', text: 'no batch yet' })),
          h('td', {}, h('button', { class: 'run', 'data-route': r.id, disabled: !isOperator() || r.state !== 'Started',
            title: isOperator() ? 'Run this route now' : 'Needs the operator role', text: 'Run now',
            onclick: (e) => runNow(r.id, e.target) })))))));
    }
    root.append(await reloads());
    root.append(h('h2', { text: 'Health' }), await health());
    return root;
  }

  /**
   * Live changes of route files, connector descriptors and configuration (GET /api/reloads): a file whose
   * newest attempt failed is shown first, as a warning; then the latest attempts.
   */
  async function reloads() {
    let list;
    try {
      list = await api('/api/reloads');
    } catch (err) {
      return h('div', {}, h('h2', { text: 'Reloads' }), unavailable(err, 'GET /api/reloads'));
    }
    const newest = new Map();
    for (const a of list) if (!newest.has(a.file)) newest.set(a.file, a);
    const failed = [...newest.values()].filter((a) => a.outcome === 'rejected' || a.outcome === 'rolled-back');
    const where = (a) => a.file + (a.line ? ':' + a.line : '') + (a.path ? ' ' + a.path : '');
    const root = h('div', { id: 'reloads' }, h('h2', { text: 'Reloads' }));
    if (failed.length) {
      root.append(h('div', { class: 'card reload-failed', id: 'reloads-failed', role: 'alert' },
        h('h3', { text: failed.length === 1 ? 'A live change was not applied' : failed.length + ' live changes were not applied' }),
        h('p', { class: 'muted', text: 'The previous version keeps running until a fixed file is saved (or POST /api/reloads by an admin).' }),
        h('table', {}, h('tbody', {}, failed.map((a) => h('tr', { 'data-file': a.file },
          h('td', {}, badge(a.outcome)), h('td', {}, h('code', { text: where(a) })),
          h('td', { text: a.message }), h('td', { class: 'muted', text: when(a.at) + (a.version ? ' · running ' + a.version : '') })))))));
    }
    root.append(list.length ? h('table', { id: 'reloads-table' },
      h('thead', {}, h('tr', {}, ['When', 'File', 'Route', 'Outcome', 'Message', 'Version running', 'By'].map((t) => h('th', { text: t })))),
      h('tbody', {}, list.slice(0, 20).map((a) => h('tr', {},
        h('td', { text: when(a.at) }), h('td', {}, h('code', { text: where(a) })), h('td', { text: a.route || '' }),
        h('td', {}, badge(a.outcome)), h('td', { text: a.message }), h('td', { class: 'sha', text: a.version || '–' }),
        h('td', { class: 'muted', text: a.actor || '' })))))
      : empty('No file has been changed since the start.'));
    return root;
  }

  async function runNow(id, button) {
    button.disabled = true;
    try {
      const run = await api('/api/routes/' + encodeURIComponent(id) + '/run', 'POST');
      const n = run.batchIds.length;
      flash(`Run of ${id} ${run.finished ? 'finished' : 'started'}: ${n} batch${n === 1 ? '' : 'es'} opened`
        + (n ? '' : ' (nothing waiting in the inbox)') + '.');
    } catch (err) {
      flash(`Run of ${id} refused: ${err.status === 403 ? 'your role may not run routes' : err.message}.`, true);
    }
    render();
  }

  async function health() {
    let body;
    try {
      body = await api('/actuator/health');
    } catch (err) {
      body = err.body;
    }
    if (!body || !body.status) return empty('Health is not available.');
    const rows = [];
    const walk = (name, c) => {
      if (c.components) Object.entries(c.components).forEach(([n, sub]) => walk(name ? name + ' / ' + n : n, sub));
      else rows.push([name, c.status]);
    };
    walk('', body);
    return h('table', { id: 'health-table' }, h('tbody', {},
      h('tr', {}, h('td', {}, h('strong', { text: 'Caravan' })), h('td', {}, badge(body.status))),
      rows.filter(([n]) => n).map(([n, st]) => h('tr', {}, h('td', { text: n }), h('td', {}, badge(st))))));
  }

  async function batches() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const query = new URLSearchParams();
    for (const k of ['route', 'partner', 'status']) if (params.get(k)) query.set(k, params.get(k));
    const [list, routeList] = await Promise.all([api('/api/batches' + (query.toString() ? '?' + query : '')),
      state.routes ? Promise.resolve(state.routes) : api('/api/routes').catch(() => [])]);
    state.routes = routeList;
    const select = (name, values) => h('select', { id: 'filter-' + name, name },
      h('option', { value: '', text: 'all' }),
      values.map((v) => h('option', { value: v, text: v, selected: params.get(name) === v })));
    const filters = h('form', { class: 'filters', id: 'batch-filters' },
      h('label', {}, 'Route', select('route', routeList.map((r) => r.id))),
      h('label', {}, 'Partner', select('partner', [...new Set(routeList.map((r) => r.partner).filter(Boolean))].sort())),
      h('label', {}, 'Status', select('status', ['running', 'completed', 'failed', 'quarantined', 'released', 'rejected'])));
    filters.addEventListener('change', () => {
      const q = new URLSearchParams();
      for (const k of ['route', 'partner', 'status']) if (filters.elements[k].value) q.set(k, filters.elements[k].value);
      location.hash = '#/batches' + (q.toString() ? '?' + q : '');
    });
    const root = h('section', { id: 'batches' }, h('h1', { text: 'Batches' }), filters);
    if (!list.length) {
      root.append(empty('No batches match.'));
      return root;
    }
    root.append(paintSwatches(legend(OUTCOMES.map(([, label, color]) => [label, color]))));
    root.append(h('table', { id: 'batches-table' },
      h('thead', {}, h('tr', {}, ['Started', 'Route', 'Partner', 'Source', 'Status', 'Rows in', 'Ledger', 'Delivered', 'Rejected', 'Took']
        .map((t, i) => h('th', { class: i === 5 || i === 7 || i === 8 ? 'num' : null, text: t })))),
      h('tbody', {}, list.map((b) => h('tr', { class: 'clickable batch-row', 'data-batch': b.batchId,
        onclick: () => { location.hash = '#/batches/' + encodeURIComponent(b.batchId); } },
      h('td', { text: when(b.startedAt) }), h('td', { text: b.routeId }), h('td', { text: b.partnerId }),
      h('td', { text: b.source }), h('td', {}, badge(b.status)), h('td', { class: 'num', text: int.format(b.rowsIn) }),
      h('td', {}, ledgerBar(b, 160, 10)), h('td', { class: 'num', text: int.format(b.rowsDelivered) }),
      h('td', { class: 'num', text: int.format(b.rowsRejected) }), h('td', { text: seconds(b) }))))));
    return root;
  }

  async function batch(id) {
    let detail;
    try {
      detail = await api('/api/batches/' + encodeURIComponent(id));
    } catch (err) {
      if (err.status === 404) return h('section', {}, h('h1', { text: 'Batch' }), empty('No such batch.'));
      throw err;
    }
    const b = detail.batch;
    const root = h('section', { id: 'batch', 'data-batch': b.batchId },
      h('p', {}, h('a', { href: '#/batches', text: '← all batches' })),
      h('h1', {}, 'Batch ', h('code', { text: b.batchId }), ' ', badge(b.status)),
      h('p', { class: 'muted', text: `${b.routeId} · partner ${b.partnerId} · ${b.source || ''} · started ${when(b.startedAt)} · took ${seconds(b)}` }));
    const card = h('div', { class: 'card' }, h('h3', { text: `Ledger: ${int.format(b.rowsIn)} rows in` }), ledgerBar(b, 720, 26),
      paintSwatches(legend(OUTCOMES.map(([key, label, color]) => [label, color, b[key] || 0]))));
    if (b.warnings) card.append(h('p', { class: 'muted', text: `${int.format(b.warnings)} warning(s): fields nulled, rows kept.` }));
    if (b.error) card.append(h('p', { class: 'error', text: (b.status === 'failed' ? 'Failed: ' : '') + b.error }));
    if (b.replayOf) {
      card.append(h('p', { id: 'replay-of', class: 'muted' }, 'Replay of batch ',
        h('a', { href: '#/batches/' + encodeURIComponent(b.replayOf) }, h('code', { text: b.replayOf })), ' from its kept file.'));
    }
    const unmapped = detail.unmappedColumns || [];
    if (unmapped.length) {
      card.append(h('p', { id: 'unmapped-columns', class: 'muted' },
        `${unmapped.length} source column(s) not mapped by the connector, dropped: `,
        ...unmapped.flatMap((c, i) => (i ? [', ', h('code', { text: c })] : [h('code', { text: c })]))));
    }
    root.append(card);
    if (detail.quarantine) root.append(quarantineCard(b, detail.quarantine));
    const problems = (title, idName, list, none) => {
      root.append(h('h2', { text: `${title} (${list.length})` }));
      root.append(list.length ? h('table', { id: idName },
        h('thead', {}, h('tr', {}, h('th', { class: 'num', text: 'Row' }), h('th', { text: 'Field' }), h('th', { text: 'Reason' }))),
        h('tbody', {}, list.map((r) => h('tr', {}, h('td', { class: 'num', text: r.rowNumber }), h('td', {}, h('code', { text: r.field })),
          h('td', { text: r.reason }))))) : empty(none));
    };
    problems('Rejections', 'rejections-table', detail.rejections || [], 'No row was rejected.');
    problems('Warnings', 'warnings-table', detail.warnings || [], 'No warnings.');
    return root;
  }

  /** Why the drift and quality gates held a batch back, and (for an operator) release or reject. */
  function quarantineCard(b, q) {
    const card = h('div', { class: 'card', id: 'quarantine', 'data-state': q.state },
      h('h3', {}, 'Quarantine ', badge(q.state)),
      h('p', { class: 'muted', text: 'The gates held this file back before anything reached the warehouse; it is kept encrypted.' }),
      h('ul', { id: 'quarantine-reasons' }, q.reasons.map((r) => h('li', { 'data-gate': r.gate },
        h('code', { text: r.gate }), ' ', r.detail))));
    if (q.decidedBy) {
      card.append(h('p', { class: 'muted', text: `${q.state === 'rejected' ? 'Rejected' : 'Released'} by ${q.decidedBy} ${when(q.decidedAt)}`
        + (q.decisionReason ? `: ${q.decisionReason}` : '') }));
    }
    if (q.releasedAs) {
      card.append(h('p', {}, 'Ran as batch ', h('a', { href: '#/batches/' + encodeURIComponent(q.releasedAs) }, h('code', { text: q.releasedAs }))));
    }
    if (q.state === 'held') {
      const reason = h('input', { name: 'reason', type: 'text', maxlength: '500', placeholder: 'Reason for the partner (required to reject)' });
      const decide = async (what, body) => {
        try {
          const answer = await api('/api/batches/' + encodeURIComponent(b.batchId) + '/' + what, 'POST', body);
          flash(what === 'release' ? `Released: the file runs as batch ${answer.releasedAs || '(starting)'}.` : 'Rejected; the partner\'s acknowledgement says why.');
        } catch (err) {
          flash(`Could not ${what} batch ${b.batchId}: ${err.status === 403 ? 'needs the operator role' : err.message}.`, true);
        }
        render();
      };
      const disabled = !isOperator();
      const title = disabled ? 'Needs the operator role' : null;
      card.append(h('div', { class: 'actions' },
        h('button', { id: 'release', disabled, title, text: 'Release', onclick: () => decide('release') }),
        reason,
        h('button', { id: 'reject', disabled, title, text: 'Reject',
          onclick: () => (reason.value.trim() ? decide('reject', { reason: reason.value.trim() }) : flash('Give a reason to reject.', true)) })));
    }
    return card;
  }

  async function privacy() {
    const root = h('section', { id: 'privacy' }, h('h1', { text: 'Privacy' }),
      h('p', { class: 'muted', text: 'Counts only: no identifier, token or key is shown here.' }));
    let st;
    try {
      st = await api('/api/privacy/stats?weeks=26');
    } catch (err) {
      root.append(unavailable(err, 'GET /api/privacy/stats'));
      return root;
    }
    root.append(h('div', { class: 'kpis' },
      kpi('Consent events', int.format(st.consentEventsTotal)),
      kpi('Subjects with consent records', int.format(st.subjectsWithConsent)),
      kpi('Erasures', int.format(st.erasuresTotal)),
      kpi('Suppression list', int.format(st.suppressionListSize))));
    const weeks = [];
    for (let d = new Date(st.since + 'T00:00:00Z'); d <= new Date(); d.setUTCDate(d.getUTCDate() + 7)) weeks.push(d.toISOString().slice(0, 10));
    const purposes = [...new Set(st.consentEvents.map((e) => e.purpose))].sort();
    root.append(h('h2', { text: 'Consent events per purpose, last 26 weeks' }));
    if (!purposes.length) {
      root.append(empty('No consent events in this period.'));
    } else {
      root.append(paintSwatches(legend([['granted', 'var(--delivered)'], ['withdrawn', 'var(--rejected)']])));
      const charts = h('div', { class: 'charts' });
      for (const p of purposes) {
        const byWeek = new Map(st.consentEvents.filter((e) => e.purpose === p).map((e) => [e.week, e]));
        charts.append(h('div', { class: 'card consent-chart', 'data-purpose': p }, h('h3', { text: p }), divergingChart(weeks, byWeek)));
      }
      root.append(charts);
    }
    root.append(h('h2', { text: 'Erasures per week' }));
    root.append(st.erasures.length ? h('table', { id: 'erasures-table' }, h('tbody', {},
      st.erasures.map((e) => h('tr', {}, h('td', { text: 'week of ' + e.week }), h('td', { class: 'num', text: int.format(e.erasures) })))))
      : empty('No erasures in this period.'));
    root.append(await keptFiles());
    if (isOperator()) root.append(subjectAccessForm());
    return root;
  }

  /** The kept partner files (encrypted archives): live ones with their shred date, shredded ones with by what. */
  async function keptFiles() {
    const part = h('div', { id: 'kept-files' }, h('h2', { text: 'Kept partner files (encrypted)' }));
    let files;
    try {
      files = await api('/api/archives?limit=50');
    } catch (err) {
      part.append(unavailable(err, 'GET /api/archives'));
      return part;
    }
    if (!files.length) {
      part.append(empty('No partner file is kept.'));
      return part;
    }
    part.append(h('table', { id: 'archives-table' },
      h('thead', {}, h('tr', {}, ...['Batch', 'Partner', 'Route', 'Archived', 'State'].map((t) => h('th', { text: t })))),
      h('tbody', {}, files.map((f) => h('tr', { class: 'archive-row', 'data-batch': f.batchId || '', 'data-state': f.shreddedAt ? 'shredded' : 'kept' },
        h('td', {}, f.batchId ? h('a', { href: '#/batches/' + encodeURIComponent(f.batchId) }, h('code', { text: f.batchId })) : '—'),
        h('td', { text: f.partner }), h('td', { text: f.routeId || '' }), h('td', { text: when(f.archivedAt) }),
        h('td', { class: 'archive-state', text: f.shreddedAt
          ? `shredded ${when(f.shreddedAt)} (${f.shreddedBy && f.shreddedBy.startsWith('erasure-') ? 'erasure ' + f.shreddedBy : f.shreddedBy})`
          : `kept until ${when(f.shredAt)}` }))))));
    return part;
  }

  /**
   * Subject access (Art. 15), operators only: one e-mail or phone in, the report of what is held, from tokens only.
   * The identifier typed is the only raw value shown; the form is cleared when the report is shown.
   */
  function subjectAccessForm() {
    const part = h('div', { id: 'subject-access' }, h('h2', { text: 'Subject access report' }),
      h('p', { class: 'muted', text: 'What Caravan holds on one person, found from tokens only. Audited.' }));
    const kind = h('select', { id: 'sar-kind' }, h('option', { value: 'email', text: 'E-mail' }), h('option', { value: 'phone', text: 'Phone' }));
    const value = h('input', { id: 'sar-value', autocomplete: 'off', required: true });
    const out = h('div', { id: 'sar-report' });
    const form = h('form', { id: 'sar-form', class: 'inline' }, kind, value, h('button', { type: 'submit', id: 'sar-submit', text: 'Report' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      out.replaceChildren();
      try {
        const r = await api('/api/subject-access', 'POST', { [kind.value]: value.value });
        value.value = '';
        out.append(subjectReport(r));
      } catch (err) {
        out.append(h('p', { class: 'error', id: 'sar-error', text: err.message }));
      }
    });
    part.append(form, out);
    return part;
  }

  function subjectReport(r) {
    const tableOf = (id, columns, rows) => rows.length
      ? h('table', { id }, h('thead', {}, h('tr', {}, ...columns.map(([, label]) => h('th', { text: label })))),
        h('tbody', {}, rows.map((row) => h('tr', {}, ...columns.map(([key]) => h('td', { text: row[key] == null ? '' : String(row[key]) }))))))
      : empty('None.');
    const records = Object.entries(r.records || {});
    const root = h('div', { class: 'card', 'data-report': r.reportId },
      h('h3', { text: `Report ${r.reportId} (${r.kind})` }),
      h('p', { id: 'sar-records', text: records.length
        ? 'Rows held: ' + records.map(([table, rows]) => `${table} ${rows.length}`).join(', ')
        : 'No row is held.' }));
    root.append(h('h4', { text: 'Consent history' }));
    root.append(tableOf('sar-consents', [['purpose', 'Purpose'], ['status', 'Status'], ['captured_at', 'Captured']],
      Object.entries(r.consents || {}).flatMap(([purpose, events]) => events.map((e) => ({ ...e, purpose })))));
    root.append(h('h4', { text: 'Came from' }));
    root.append(tableOf('sar-sources', [['batch_id', 'Batch'], ['partner_id', 'Partner'], ['route_id', 'Route'], ['started_at', 'Started']], r.sources || []));
    root.append(h('h4', { text: 'Sent to' }));
    root.append(tableOf('sar-recipients', [['partner_id', 'Partner'], ['agreement_id', 'Agreement'], ['exported_at', 'Exported']], r.recipients || []));
    root.append(h('h4', { text: 'Kept partner files still holding it' }));
    root.append(tableOf('sar-archives', [['batch_id', 'Batch'], ['partner', 'Partner'], ['shred_at', 'Shredded by']], r.archives || []));
    return root;
  }

  /** Granted events as bars above the axis, withdrawals below, per week. */
  function divergingChart(weeks, byWeek) {
    const W = 420, H = 160, L = 36, T = 8, B = 22;
    const mid = T + (H - T - B) / 2;
    const half = (H - T - B) / 2;
    const max = niceMax(Math.max(1, ...[...byWeek.values()].map((e) => Math.max(e.granted, e.withdrawn))));
    const step = (W - L - 8) / Math.max(1, weeks.length);
    const svg = s('svg', { width: '100%', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'consent events per week' });
    svg.append(s('line', { x1: L, x2: W - 8, y1: mid, y2: mid, stroke: '#c9d1da' }));
    svg.append(s('text', { x: L - 4, y: T + 8, 'text-anchor': 'end', text: int.format(max) }));
    svg.append(s('text', { x: L - 4, y: H - B, 'text-anchor': 'end', text: int.format(max) }));
    weeks.forEach((w, i) => {
      const e = byWeek.get(w) || { granted: 0, withdrawn: 0 };
      const x = L + i * step + step * 0.15;
      const gh = (e.granted / max) * half, wh = (e.withdrawn / max) * half;
      const tip = `week of ${w}: ${e.granted} granted, ${e.withdrawn} withdrawn`;
      svg.append(s('rect', { x, y: mid - gh, width: step * 0.7, height: gh, fill: 'var(--delivered)' }, s('title', { text: tip })));
      svg.append(s('rect', { x, y: mid, width: step * 0.7, height: wh, fill: 'var(--rejected)' }, s('title', { text: tip })));
      if (i % 4 === 0) svg.append(s('text', { x: x + step * 0.35, y: H - 6, 'text-anchor': 'middle', text: w.slice(5) }));
    });
    return svg;
  }

  async function partners() {
    const root = h('section', { id: 'partners' }, h('h1', { text: 'Partners' }));
    try {
      const known = await api('/api/deliveries/calendars');
      root.append(h('ul', { class: 'partner-list', id: 'partner-list' }, known.map((p) => h('li', {},
        h('a', { href: '#/partners/' + encodeURIComponent(p.partner), 'data-partner': p.partner, text: p.name }),
        h('span', { class: 'muted', text: ` ${p.partner} · ${p.calendars.length} delivery calendar(s), ${p.agreements.length} agreement(s)` })))));
    } catch (err) {
      root.append(unavailable(err, 'GET /api/deliveries/calendars'));
    }
    root.append(h('h2', { text: 'Exports' }),
      h('p', { class: 'muted', text: 'Exports sent under each sharing agreement, with the manifests of the newest ones.' }));
    let list;
    try {
      list = await api('/api/partners/exports?recent=5');
    } catch (err) {
      root.append(unavailable(err, 'GET /api/partners/exports'));
      return root;
    }
    if (!list.length) {
      root.append(empty('No exports have been sent to partners yet.'));
      return root;
    }
    for (const a of list) {
      root.append(h('div', { class: 'card agreement', 'data-partner': a.partnerId, 'data-agreement': a.agreementId },
        h('h3', {}, a.partnerId, h('span', { class: 'muted', text: ' · agreement ' + a.agreementId })),
        h('p', { class: 'muted', text: `${int.format(a.completed)} export(s) sent, ${int.format(a.failed)} failed or refused, `
          + `${int.format(a.rowsSent)} rows, last ${when(a.lastSentAt)}` }),
        h('table', {}, h('thead', {}, h('tr', {}, ['Started', 'Dataset', 'File', 'Format', 'Policy', 'Rows', 'Status', 'SHA-256']
          .map((t) => h('th', { text: t })))),
        h('tbody', {}, a.recent.map((m) => h('tr', {}, h('td', { text: when(m.startedAt) }), h('td', { text: m.dataset }),
          h('td', { text: m.fileName || '–' }), h('td', { text: m.format || '–' }), h('td', { text: m.policyId || '–' }),
          h('td', { class: 'num', text: int.format(m.rows) }), h('td', {}, badge(m.status)),
          h('td', { class: 'sha', text: m.sha256 ? m.sha256.slice(0, 16) + '…' : '–', title: m.sha256 })))))));
    }
    return root;
  }

  // ---- one partner: delivery calendar, batches, notifications, agreements --------------------------

  const DELIVERY_OUTCOMES = [['on_time', 'on time'], ['late', 'late'], ['missing', 'missing'], ['pending', 'pending']];
  const OUTCOME_RANK = { missing: 3, late: 2, pending: 1, on_time: 0 };

  /** yyyy-mm-dd of an instant in a time zone (the calendar's own, so a day is the partner's day). */
  function dayIn(iso, zone) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date(iso));
  }
  function timeIn(iso, zone) {
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone || 'UTC', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  }
  function lateText(d) {
    const minutes = Math.round(d.latenessSeconds / 60);
    return minutes >= 120 ? `late ${minutes} min (${(minutes / 60).toFixed(1)} h)` : `late ${minutes} min`;
  }

  /** A month grid (Monday first): each day coloured by the worst outcome due that day, the details on hover. */
  function monthGrid(month, deliveries, zones) {
    const [y, m] = month.split('-').map(Number);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
    const byDay = {};
    for (const d of deliveries) (byDay[dayIn(d.deadline, zones[d.flow])] ||= []).push(d);
    const cells = [];
    for (let i = 0; i < lead; i++) cells.push(h('div', { class: 'day blank' }));
    for (let day = 1; day <= days; day++) {
      const key = `${month}-${String(day).padStart(2, '0')}`;
      const due = byDay[key] || [];
      const worst = due.reduce((w, d) => (w === null || OUTCOME_RANK[d.outcome] > OUTCOME_RANK[w] ? d.outcome : w), null);
      const counts = {};
      due.forEach((d) => { counts[d.outcome] = (counts[d.outcome] || 0) + 1; });
      const tip = due.length > 6
        ? DELIVERY_OUTCOMES.filter(([o]) => counts[o]).map(([o, label]) => `${counts[o]} ${label}`).join(', ')
          + (counts.late ? '; latest ' + lateText(due.filter((d) => d.outcome === 'late')
            .reduce((a, b) => (b.latenessSeconds > a.latenessSeconds ? b : a))) : '')
        : due.map((d) => `${d.flow} due ${timeIn(d.deadline, zones[d.flow])}: `
          + (d.outcome === 'late' ? lateText(d) : d.outcome.replace('_', ' '))
          + (d.batchId ? ` (batch ${d.batchId})` : '')).join('\n');
      cells.push(h('div', { class: 'day' + (worst ? ' ' + worst : ''), 'data-day': key, 'data-outcome': worst, title: tip || null },
        h('span', { class: 'n', text: day }),
        due.length > 1 ? h('span', { class: 'count', text: due.length }) : null,
        worst === 'late' && due.length === 1 ? h('span', { class: 'late', text: Math.round(due[0].latenessSeconds / 60) + ' min' }) : null));
    }
    return h('div', { class: 'month-grid', id: 'month-grid' },
      ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => h('div', { class: 'dow', text: d })), cells);
  }

  async function partner(id) {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const now = new Date();
    const month = /^\d{4}-\d{2}$/.test(params.get('month') || '') ? params.get('month')
      : `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const [y, m] = month.split('-').map(Number);
    const shift = (k) => { const d = new Date(Date.UTC(y, m - 1 + k, 1)); return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`; };
    const link = (k, text) => h('a', { href: `#/partners/${encodeURIComponent(id)}?month=${shift(k)}`, class: 'month-nav', text });
    // a day either side, so deadlines near midnight in the partner's zone land in the right cell
    const from = new Date(Date.UTC(y, m - 1, 1) - 86400000).toISOString();
    const to = new Date(Date.UTC(y, m, 1) + 86400000).toISOString();
    const q = encodeURIComponent(id);
    const [info, deliveries, batchList, notices, held, connectorList] = await Promise.all([
      api('/api/deliveries/calendars?partner=' + q).then((l) => l[0]),
      api(`/api/deliveries?partner=${q}&from=${from}&to=${to}`).catch((e) => e),
      api('/api/batches?partner=' + q).catch((e) => e),
      api(`/api/notifications?partner=${q}&limit=20`).catch((e) => e),
      api(`/api/batches?partner=${q}&status=quarantined`).catch((e) => e),
      api('/api/connectors').catch((e) => e)]);
    const zones = Object.fromEntries(info.calendars.map((c) => [c.flow, c.zone]));
    const root = h('section', { id: 'partner', 'data-partner': id },
      h('p', {}, h('a', { href: '#/partners', text: '← Partners' })),
      h('h1', {}, info.name, h('span', { class: 'muted', text: ' · ' + id })));

    root.append(h('h2', { text: 'Delivery calendar' }));
    if (!info.calendars.length) {
      root.append(empty('No delivery calendar for this partner in partners.yaml.'));
    } else {
      root.append(h('ul', { class: 'calendars' }, info.calendars.map((c) => h('li', {}, h('code', { text: c.flow }),
        ` ${c.title}: ${c.schedule} (${c.zone}${c.holidays ? ', holidays ' + c.holidays : ''}), since ${c.since}`))));
      if (deliveries instanceof Error) {
        root.append(unavailable(deliveries, 'GET /api/deliveries'));
      } else {
        const inMonth = deliveries.filter((d) => dayIn(d.deadline, zones[d.flow]).startsWith(month));
        const counts = {};
        inMonth.forEach((d) => { counts[d.outcome] = (counts[d.outcome] || 0) + 1; });
        root.append(h('div', { class: 'month-head' }, link(-1, '‹'), h('strong', { id: 'month', text: month }), link(1, '›'),
          h('span', { class: 'legend' }, DELIVERY_OUTCOMES.map(([o, label]) => h('span', {}, h('i', { class: 'swatch ' + o }),
            `${label} ${counts[o] || 0}`)))));
        root.append(monthGrid(month, inMonth, zones));
      }
    }

    root.append(h('h2', { text: 'Recent batches' }));
    if (batchList instanceof Error) root.append(unavailable(batchList, 'GET /api/batches'));
    else if (!batchList.length) root.append(empty('No batches from this partner yet.'));
    else {
      root.append(h('table', { id: 'partner-batches' },
        h('thead', {}, h('tr', {}, ['Started', 'Route', 'Source', 'Status', 'Rows in', 'Delivered', 'Rejected']
          .map((t, i) => h('th', { class: i >= 4 ? 'num' : null, text: t })))),
        h('tbody', {}, batchList.slice(0, 10).map((b) => h('tr', { class: 'clickable batch-row', 'data-batch': b.batchId,
          onclick: () => { location.hash = '#/batches/' + encodeURIComponent(b.batchId); } },
        h('td', { text: when(b.startedAt) }), h('td', { text: b.routeId }), h('td', { text: b.source }), h('td', {}, badge(b.status)),
        h('td', { class: 'num', text: int.format(b.rowsIn) }), h('td', { class: 'num', text: int.format(b.rowsDelivered) }),
        h('td', { class: 'num', text: int.format(b.rowsRejected) }))))));
    }

    root.append(h('h2', { text: 'Quarantines' }));
    if (held instanceof Error) root.append(unavailable(held, 'GET /api/batches?status=quarantined'));
    else if (!held.length) root.append(empty('No file of this partner is held by the gates.'));
    else {
      root.append(h('table', { id: 'partner-quarantines' },
        h('thead', {}, h('tr', {}, ['Held since', 'Route', 'Source', 'Rows measured'].map((t) => h('th', { text: t })))),
        h('tbody', {}, held.map((b) => h('tr', { class: 'clickable', 'data-batch': b.batchId,
          onclick: () => { location.hash = '#/batches/' + encodeURIComponent(b.batchId); } },
        h('td', { text: when(b.startedAt) }), h('td', { text: b.routeId }), h('td', { text: b.source }),
        h('td', { class: 'num', text: int.format(b.rowsIn) }))))));
    }

    const gated = connectorList instanceof Error ? [] : connectorList.filter((c) => c.partner === id && c.gates);
    root.append(h('h2', { text: 'Gates' }));
    if (connectorList instanceof Error) root.append(unavailable(connectorList, 'GET /api/connectors'));
    else if (!gated.length) root.append(empty('No connector of this partner.'));
    else {
      const pct = (v) => `${v} %`;
      root.append(h('table', { id: 'partner-gates' },
        h('thead', {}, h('tr', {}, ['Connector', 'On', 'Columns added / removed / renamed', 'Volume vs median', 'Rejected ≤',
          'Required empty ≤', 'Valid VINs ≥', 'Dates'].map((t) => h('th', { text: t })))),
        h('tbody', {}, gated.map((c) => { const g = c.gates; return h('tr', { 'data-connector': c.id },
          h('td', { text: c.id }), h('td', { text: g.enabled ? `from ${g.minRows} rows` : 'off' }),
          h('td', { text: [g.columns.added, g.columns.removed, g.columns.renamed].map((a) => a.toLowerCase()).join(' / ') }),
          h('td', { text: `± ${g.volume.tolerancePercent} % of the last ${g.volume.history}` }),
          h('td', { text: pct(g.maxRejectedPercent) }), h('td', { text: pct(g.maxRequiredNullPercent) }),
          h('td', { text: pct(g.minVinValidPercent) }),
          h('td', { text: `≤ ${g.dates.futureDays} d ahead, ≤ ${g.dates.maxAgeDays} d old` })); }))));
    }

    root.append(h('h2', { text: 'Notifications sent' }));
    if (notices instanceof Error) root.append(unavailable(notices, 'GET /api/notifications'));
    else if (!notices.length) root.append(empty('No notifications about this partner.'));
    else {
      root.append(h('table', { id: 'partner-notifications' },
        h('thead', {}, h('tr', {}, ['Created', 'Kind', 'Channel', 'Status', 'Attempts', 'Last error', 'Facts'].map((t) => h('th', { text: t })))),
        h('tbody', {}, notices.map((n) => h('tr', { 'data-notification': n.id },
          h('td', { text: when(n.createdAt) }), h('td', { text: n.kind }), h('td', { text: `${n.channel} (${n.channelType})` }),
          h('td', {}, h('span', { class: 'badge ' + (n.status === 'sent' ? 'completed' : n.status === 'pending' ? 'running' : 'failed'), text: n.status })),
          h('td', { class: 'num', text: n.attempts }), h('td', { text: n.lastError || '–' }),
          h('td', { class: 'facts', text: Object.entries(n.facts).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`).join(' · ') }))))));
    }

    root.append(h('h2', { text: 'Agreements' }));
    if (!info.agreements.length) root.append(empty('No sharing agreement with this partner.'));
    else {
      root.append(h('table', { id: 'partner-agreements' },
        h('thead', {}, h('tr', {}, ['Agreement', 'Valid until'].map((t) => h('th', { text: t })))),
        h('tbody', {}, info.agreements.map((a) => h('tr', { 'data-agreement': a.agreementId },
          h('td', { text: a.agreementId }), h('td', { text: a.validUntil }))))));
    }
    return root;
  }

  // ---- preview (dry run) --------------------------------------------------------------------------

  /**
   * Drop a sample file on a connector and see what its flow would do, with nothing written:
   * POST /api/connectors/{id}/preview with the file as the request body (operator).
   */
  async function preview() {
    const list = await api('/api/connectors');
    const root = h('section', { id: 'preview' }, h('h1', { text: 'Preview a sample' }),
      h('p', { class: 'muted', text: 'Drop a partner file on a connector to see what its flow would do: the first rows as the '
        + 'warehouse would store them (tokens and generalised values, never raw personal values), the rejections by row, '
        + 'field and rule, the warnings, the unmapped columns and the ledger counts. Nothing is written. '
        + 'For an API connector, Preview without a file reads the first page of its next sync.' }));
    if (!isOperator()) {
      root.append(empty('Previews need the operator role.'));
      return root;
    }
    const select = h('select', { id: 'preview-connector' },
      list.map((c) => h('option', { value: c.id, text: c.id + ' → ' + c.record + (c.api ? ' (API)' : '') })));
    const input = h('input', { type: 'file', id: 'preview-file' });
    let chosen = null;
    const label = h('span', { id: 'preview-file-name', class: 'muted', text: 'no file chosen' });
    const choose = (file) => { chosen = file || null; label.textContent = chosen ? chosen.name + ' (' + int.format(chosen.size) + ' bytes)' : 'no file chosen'; };
    input.addEventListener('change', () => choose(input.files[0]));
    const drop = h('div', { id: 'preview-drop', class: 'drop' }, 'Drop a file here, or ', input, ' ', label);
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); choose(e.dataTransfer.files[0]); });
    const out = h('div', { id: 'preview-result' });
    const run = h('button', { id: 'preview-run', text: 'Preview', onclick: async () => {
      run.disabled = true;
      out.replaceChildren(h('p', { class: 'muted', text: 'Reading…' }));
      try {
        out.replaceChildren(previewResult(await postPreview(select.value, chosen)));
      } catch (err) {
        out.replaceChildren(h('p', { class: 'error', id: 'preview-error', role: 'alert',
          text: 'Refused: ' + err.message + (err.body && err.body.field ? ' (' + err.body.field + ')' : '') }));
      } finally {
        run.disabled = false;
      }
    } });
    root.append(h('div', { class: 'filters' }, h('label', {}, 'Connector', select)), drop, h('p', {}, run), out);
    return root;
  }

  async function postPreview(connector, file) {
    const query = new URLSearchParams({ rows: '50' });
    if (file) query.set('file', file.name);
    const res = await fetch('/api/connectors/' + encodeURIComponent(connector) + '/preview?' + query, {
      method: 'POST',
      headers: { Authorization: state.auth, 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json',
        'Content-Type': 'application/octet-stream' },
      body: file || new Blob([]),
      credentials: 'omit',
      cache: 'no-store',
    });
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) throw new ApiFailure(res.status, body);
    return body;
  }

  function previewResult(p) {
    const c = p.counts;
    const root = h('div', {}, h('div', { class: 'kpis', id: 'preview-counts' },
      kpi('Rows in', int.format(c.rowsIn)), kpi('Would be delivered', int.format(c.delivered)),
      kpi('Rejected', int.format(c.rejected)), kpi('Consent-filtered', int.format(c.consentFiltered)),
      kpi('Suppressed', int.format(c.suppressed)), kpi('Duplicate', int.format(c.duplicate)), kpi('Warnings', int.format(c.warnings))),
    h('p', { class: 'muted', text: `Route ${p.route || '(none: harmonise only)'} → table ${p.table}; steps run: `
      + (p.steps.length ? p.steps.join(', ') : 'harmonise only')
      + (p.alreadyStored ? `; ${int.format(p.alreadyStored)} of the records are already in the warehouse (updated or counted duplicate)` : '')
      + '. Nothing was written.' }));
    const columns = [...new Set(p.rows.flatMap((r) => Object.keys(r.fields)))].sort();
    root.append(h('h2', { text: 'First rows as they would be stored' }));
    root.append(p.rows.length ? h('div', { class: 'scroll' }, h('table', { id: 'preview-rows' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num', text: 'Row' }), h('th', { text: 'Outcome' }), columns.map((k) => h('th', { text: k })))),
      h('tbody', {}, p.rows.map((r) => h('tr', { 'data-row': r.row },
        h('td', { class: 'num', text: r.row }), h('td', {}, badge(r.outcome)),
        columns.map((k) => h('td', { text: r.fields[k] === undefined || r.fields[k] === null ? '' : r.fields[k] })))))))
      : empty('The sample has no rows.'));
    const issues = (id, title, list) => [h('h2', { text: title + ' (' + int.format(list.length) + (p.issuesTruncated ? '+' : '') + ')' }),
      list.length ? h('table', { id }, h('thead', {}, h('tr', {}, h('th', { class: 'num', text: 'Row' }), h('th', { text: 'Field' }), h('th', { text: 'Rule' }))),
        h('tbody', {}, list.map((i) => h('tr', {}, h('td', { class: 'num', text: i.row }), h('td', { text: i.field }), h('td', { text: i.rule })))))
        : empty('None.')];
    root.append(...issues('preview-rejections', 'Rejections', p.rejections), ...issues('preview-warnings', 'Warnings', p.warnings));
    root.append(h('h2', { text: 'Unmapped columns' }), p.unmappedColumns.length
      ? h('p', { id: 'preview-unmapped' }, p.unmappedColumns.map((n) => h('code', { text: n })).flatMap((e) => [e, ' ']))
      : empty('Every column is mapped.'));
    return root;
  }

  // ---- overlap (clean room) ---------------------------------------------------------------------

  async function overlaps() {
    const root = h('section', { id: 'overlaps' }, h('h1', { text: 'Overlap' }),
      h('p', { class: 'muted', text: 'How many people a partner\'s uploaded audience shares with the warehouse or with another '
        + 'partner, as aggregates only. Cells under the minimum group size are suppressed; with epsilon, figures carry '
        + 'Laplace noise and spend the pair\'s privacy budget.' }));
    let info;
    try {
      info = await api('/api/overlaps/audiences');
    } catch (err) {
      root.append(unavailable(err, 'GET /api/overlaps/audiences'));
      return root;
    }
    const loaded = info.audiences.filter((a) => a.status === 'loaded');
    root.append(h('h2', { text: 'Audiences' }), info.audiences.length
      ? h('table', { id: 'overlap-audiences' }, h('thead', {}, h('tr', {}, ['Audience', 'Partner', 'Uploaded', 'Lines', 'Accepted',
        'Rejected', 'Status'].map((t) => h('th', { text: t })))),
      h('tbody', {}, info.audiences.map((a) => h('tr', {}, h('td', { text: a.audienceId }), h('td', { text: a.partner }),
        h('td', { text: when(a.uploadedAt) }), h('td', { class: 'num', text: int.format(a.rowsIn) }),
        h('td', { class: 'num', text: int.format(a.rowsAccepted) }), h('td', { class: 'num', text: int.format(a.rowsRejected) }),
        h('td', {}, badge(a.status === 'loaded' ? 'completed' : 'refused'), ' ', a.status)))))
      : empty('No partner has uploaded an overlap audience yet (SFTP: inbox/<name>.overlap).'));
    if (info.budgets.length) {
      root.append(h('h2', { text: 'Privacy budgets (epsilon per pair)' }),
        h('table', { id: 'overlap-budgets' }, h('thead', {}, h('tr', {}, ['Pair', 'Total', 'Spent', 'Left'].map((t) => h('th', { text: t })))),
          h('tbody', {}, info.budgets.map((b) => h('tr', {}, h('td', { text: b.partnerA + ' · ' + b.partnerB }),
            h('td', { class: 'num', text: b.total }), h('td', { class: 'num', text: b.spent }),
            h('td', { class: 'num', text: (Number(b.total) - Number(b.spent)).toFixed(3) }))))));
    }
    if (!loaded.length) return root;
    const options = (values, selected) => values.map(([v, t]) => h('option', { value: v, selected: v === selected, text: t }));
    const audience = h('select', { id: 'overlap-audience' }, options(loaded.map((a) => [a.audienceId, a.audienceId])));
    const withSide = h('select', { id: 'overlap-with' }, options([['warehouse', 'the warehouse']]
      .concat(loaded.map((a) => [a.audienceId, a.audienceId]))));
    const table = h('select', { id: 'overlap-table' }, options([['lead', 'leads'], ['sale', 'sales'], ['contract', 'contracts'],
      ['insurance', 'insurance']]));
    const segmentBy = h('select', { id: 'overlap-segment' }, options([['', 'no segments'], ['model', 'model'], ['region', 'region'],
      ['month', 'month']]));
    const epsilon = h('input', { id: 'overlap-epsilon', type: 'number', min: '0', step: '0.1', placeholder: 'none' });
    const minGroup = h('input', { id: 'overlap-min', type: 'number', min: String(info.minGroupSize), value: String(info.minGroupSize) });
    const result = h('div', { id: 'overlap-result' });
    const run = h('button', { id: 'overlap-run', disabled: !isOperator(), title: isOperator() ? '' : 'operators only', onclick: async () => {
      run.disabled = true;
      const payload = { audience: audience.value, with: withSide.value, table: table.value,
        segmentBy: segmentBy.value || null, epsilon: epsilon.value ? Number(epsilon.value) : null,
        minGroupSize: minGroup.value ? Number(minGroup.value) : null };
      try {
        result.replaceChildren(overlapAnswer(await api('/api/overlaps', 'POST', payload)));
      } catch (err) {
        result.replaceChildren(h('p', { class: 'error', role: 'alert', text: err.message
          + (err.body && err.body.field ? ' (' + err.body.field + ')' : '') }));
      } finally {
        run.disabled = !isOperator();
      }
    } }, 'Ask');
    root.append(h('h2', { text: 'Ask' }), h('div', { class: 'filters' },
      h('label', {}, 'Audience', audience), h('label', {}, 'Against', withSide), h('label', {}, 'Warehouse table', table),
      h('label', {}, 'Segments', segmentBy), h('label', {}, 'Epsilon', epsilon), h('label', {}, 'Min group', minGroup), run),
      result);
    return root;
  }

  function overlapAnswer(a) {
    const rate = (r) => (r === null || r === undefined ? '–' : (r * 100).toFixed(1) + ' %');
    const figure = (v) => (v === null || v === undefined ? '–' : int.format(v));
    const row = (c) => h('tr', { class: c.suppressed ? 'suppressed' : '', 'data-segment': c.segment },
      h('td', { text: c.segment }),
      c.suppressed
        ? h('td', { colspan: 3, class: 'suppressed-note' }, badge('suppressed'), ' fewer than ' + a.minGroupSize + ' people')
        : [h('td', { class: 'num', text: figure(c.overlap) }), h('td', { class: 'num', text: figure(c.subjects) }),
          h('td', { class: 'num', text: rate(c.matchRate) })]);
    return h('div', { class: 'card', 'data-query': a.queryId },
      h('p', { class: 'muted', text: `${a.audience} against ${a.with}: audience of ${int.format(a.audienceSize)}, noise ${a.noise}`
        + (a.epsilon ? ` (epsilon ${a.epsilon}; ${a.budget.remaining} left for ${a.pair.join(' · ')})` : '')
        + `, cells under ${a.minGroupSize} suppressed.` }),
      h('table', { id: 'overlap-cells' }, h('thead', {}, h('tr', {}, ['Segment', 'Overlap', 'People in segment', 'Match rate']
        .map((t) => h('th', { text: t })))),
      h('tbody', {}, a.cells.map(row)),
      a.segmentBy ? h('tfoot', {}, h('tr', { class: 'total' + (a.total.suppressed ? ' suppressed' : ''),
        title: 'the cells shown only, so a suppressed cell cannot be worked out from it' }, h('td', { text: 'total' }),
        a.total.suppressed ? h('td', { colspan: 3 }, badge('suppressed'))
          : [h('td', { class: 'num', text: figure(a.total.overlap) }), h('td', {}), h('td', { class: 'num', text: rate(a.total.matchRate) })]))
        : null));
  }

  // ---- record of processing (GDPR Art. 30, io.caravan.governance) ---------------------------------

  async function record() {
    const root = h('section', { id: 'record' }, h('h1', { text: 'Record of processing activities' }),
      h('p', { class: 'muted', text: 'Generated from the configuration that runs now (purposes, routes, connectors, policies, '
        + 'agreements, retention). Art. 30 GDPR; DPIA screening per EDPB criteria.' }));
    let rec;
    let changes = [];
    try {
      rec = await api('/api/processing-record');
      changes = await api('/api/processing-record/changes');
    } catch (err) {
      root.append(unavailable(err, 'GET /api/processing-record'));
      return root;
    }
    const csv = h('button', { id: 'record-csv', text: 'Download CSV' });
    csv.addEventListener('click', async () => {
      const res = await fetch('/api/processing-record?format=csv', { headers: { Authorization: state.auth }, credentials: 'omit' });
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: 'processing-record.csv' });
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
    });
    const contact = (c) => (c ? [c.name, c.email].filter(Boolean).join(', ') : 'not configured');
    root.append(h('p', {}, csv), h('table', { class: 'contacts' }, h('tbody', {},
      h('tr', {}, h('th', { text: 'Controller' }), h('td', { id: 'record-controller', text: contact(rec.controller) })),
      h('tr', {}, h('th', { text: 'Data-protection officer' }), h('td', { id: 'record-dpo', text: contact(rec.dataProtectionOfficer) })))));
    if (rec.warnings.length) {
      root.append(h('ul', { class: 'warnings', id: 'record-warnings' }, rec.warnings.map((w) => h('li', { class: 'error', text: w }))));
    }
    const rows = (head, items, cells) => h('table', {}, h('thead', {}, h('tr', {}, head.map((t) => h('th', { text: t })))),
      h('tbody', {}, items.map((i) => h('tr', {}, cells(i).map((c) => h('td', { text: c == null ? '–' : String(c) }))))));
    for (const a of rec.activities) {
      const dpia = a.dpia || { criteria: [], likelyRequired: false };
      root.append(h('div', { class: 'card activity', 'data-activity': a.id },
        h('h3', {}, a.name, h('span', { class: 'muted', text: ` · ${a.id} · legal basis ${a.legalBasis}` })),
        h('p', { text: a.description }),
        h('p', { class: 'dpia', text: 'DPIA screening: ' + (dpia.likelyRequired ? 'likely required' : 'not indicated by configuration')
          + (dpia.criteria.length ? ' — ' + dpia.criteria.map((c) => c.title).join('; ') : '') }),
        h('p', { class: 'muted', text: 'Data subjects: ' + (a.dataSubjects.join('; ') || 'none') }),
        h('h4', { text: 'Personal data and its protection' }),
        rows(['Field', 'To', 'Protection', 'Column', 'Tables'], a.personalData.filter((d) => d.personal),
          (d) => [d.field, d.destination, d.protection, d.column, d.tables.join(', ')]),
        h('h4', { text: 'Sources' }),
        rows(['Partner', 'Country', 'Connector', 'Data class', 'Route', 'Table'], a.sources,
          (s) => [s.partnerName, s.country, s.connector, s.dataClass, s.route, s.table]),
        h('h4', { text: 'Recipients' }),
        rows(['Recipient', 'Country', 'Agreement', 'Valid until', 'Datasets'], a.recipients,
          (r) => [r.name, r.country, r.agreement, r.validUntil, r.datasets.join(', ')]),
        h('h4', { text: 'Retention' }),
        rows(['Table', 'Kept for'], Object.entries(a.retention.tables), ([t, p]) => [t, p]),
        a.flags.length ? h('ul', {}, a.flags.map((f) => h('li', { class: 'error', text: f }))) : h('span')));
    }
    root.append(h('h2', { text: 'Changes' }), changes.length
      ? rows(['When', 'Purpose', 'Change', 'Detail', 'File'], changes.slice(-50).reverse(),
        (c) => [when(c.changedAt), c.activity, c.kind, c.detail, c.file])
      : empty('No change recorded yet.'));
    return root;
  }

  // ---- lineage (OpenLineage events kept by Caravan) -----------------------------------------------

  /** Per warehouse table: where its rows came from and where they went, from GET /api/lineage/datasets. */
  async function lineage() {
    const root = h('section', { id: 'lineage' }, h('h1', { text: 'Lineage' }),
      h('p', { class: 'muted', text: 'Per table of the warehouse: the partner sources and jobs that wrote its rows, and '
        + 'the exports and jobs that read or changed them (from the OpenLineage run events Caravan keeps).' }));
    let list;
    try {
      list = await api('/api/lineage/datasets');
    } catch (err) {
      root.append(unavailable(err, 'GET /api/lineage/datasets'));
      return root;
    }
    const tables = list.filter((d) => d.namespace.startsWith('postgres://'));
    if (!tables.length) {
      root.append(empty('No lineage yet: no batch has run since lineage was switched on.'));
      return root;
    }
    const flows = (items, direction) => items.length
      ? h('table', { class: 'lineage-flows' }, h('thead', {}, h('tr', {}, [direction === 'from' ? 'Came from' : 'Went to', 'Job',
        'Runs', 'Completed', 'Last', 'Last rows', 'When'].map((t) => h('th', { text: t })))),
      h('tbody', {}, items.map((f) => h('tr', { ['data-' + direction]: f.name, 'data-job': f.job },
        h('td', { title: f.namespace }, f.name, h('span', { class: 'muted', text: ' ' + f.namespace })),
        h('td', { text: f.job }), h('td', { class: 'num', text: int.format(f.runs) }),
        h('td', { class: 'num', text: int.format(f.completed) }), h('td', {}, badge(String(f.lastState).toLowerCase())),
        h('td', { class: 'num', text: f.lastRows === null || f.lastRows === undefined ? '–' : int.format(f.lastRows) }),
        h('td', { text: when(f.lastEventTime) })))))
      : h('p', { class: 'muted', text: direction === 'from' ? 'Nothing has written to it yet.' : 'Nothing has read from it yet.' });
    for (const d of tables) {
      root.append(h('div', { class: 'card lineage-dataset', 'data-dataset': d.name },
        h('h3', {}, d.name, h('span', { class: 'muted', text: ' · ' + d.namespace })),
        flows(d.from, 'from'), flows(d.to, 'to')));
    }
    return root;
  }

  // ---- start -------------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', signIn);
    $('logout').addEventListener('click', () => signOut('Signed out.'));
    window.addEventListener('hashchange', () => { $('flash').hidden = true; render(); });
    $('login-user').focus();
  });
})();
