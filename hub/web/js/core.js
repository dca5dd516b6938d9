// Shared pieces of the hub's web app: DOM helper, number formatting, the API client, the
// filter state kept in the URL, and accessible colour scales. Plain ES module, no bundler.

// ---------- DOM ----------

// h('div', {class: 'x', onclick: fn}, child, 'text', [more]) -> Element. null/false children are
// skipped; attributes with null/false values are left out.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'style' && typeof v === 'object') {
      Object.assign(el.style, v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) {
      append(el, c);
    } else if (c instanceof Node) {
      el.appendChild(c);
    } else {
      el.appendChild(document.createTextNode(String(c)));
    }
  }
}

// ---------- numbers ----------

export const DASH = '–';  // shown for every absent (null) value
const intFmt = new Intl.NumberFormat('en-GB', {maximumFractionDigits: 0});
const fmtCache = new Map();
function decFmt(d) {
  if (!fmtCache.has(d)) {
    fmtCache.set(d, new Intl.NumberFormat('en-GB', {
      minimumFractionDigits: d,
      maximumFractionDigits: d,
    }));
  }
  return fmtCache.get(d);
}
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

export const fmt = {
  int: (x) => (isNum(x) ? intFmt.format(x) : DASH),
  num: (x, d = 1) => (isNum(x) ? decFmt(d).format(x) : DASH),
  // A rate 0..1 as a percentage.
  rate: (x, d = 1) => (isNum(x) ? `${decFmt(d).format(x * 100)} %` : DASH),
  // A value already in percent.
  pct: (x, d = 0) => (isNum(x) ? `${decFmt(d).format(x)} %` : DASH),
  signed: (x, d = 1) =>
      (isNum(x) ? (x > 0     ? '+' :
                       x < 0 ? '−' :
                               '±') +
               decFmt(d).format(Math.abs(x)) :
                  DASH),
  duration: (s) => {
    if (!isNum(s)) return DASH;
    if (s < 60) return `${Math.round(s)} s`;
    if (s < 3600) return `${Math.round(s / 60)} min`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  },
  time: (ms) => {
    if (!isNum(ms)) return DASH;
    const d = new Date(ms);
    return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  },
  ago: (ms, now) =>
      (isNum(ms) ? fmt.duration(Math.max(0, ((now ?? Date.now()) - ms) / 1000)) + ' ago' : DASH),
};

// The metrics a view can colour or plot by: label, how to format, which way is better.
export const METRICS = {
  csat_mean: {
    label: 'CSAT (mean 1–5)',
    short: 'CSAT',
    f: (x) => fmt.num(x, 2),
    better: 1,
    min: 1,
    max: 5,
    d: 2,
    span: 1
  },
  csat_satisfied_pct: {
    label: 'Satisfied (4–5) %',
    short: 'Satisfied',
    f: (x) => fmt.pct(x, 0),
    better: 1,
    min: 0,
    max: 100,
    d: 0,
    span: 20
  },
  nps: {
    label: 'NPS (−100..100)',
    short: 'NPS',
    f: (x) => fmt.num(x, 0),
    better: 1,
    min: -100,
    max: 100,
    d: 0,
    span: 30
  },
  effort_mean: {
    label: 'Effort (mean 1–7, lower is easier)',
    short: 'Effort',
    f: (x) => fmt.num(x, 1),
    better: -1,
    min: 1,
    max: 7,
    d: 1,
    span: 1
  },
  response_rate: {
    label: 'Response rate',
    short: 'Resp. rate',
    f: (x) => fmt.rate(x, 1),
    better: 1,
    min: 0,
    max: null,
    d: 3,
    span: 0.02
  },
  responses:
      {label: 'Responses', short: 'Responses', f: fmt.int, better: 0, min: 0, max: null, d: 0},
  visitors_in:
      {label: 'Visitors', short: 'Visitors', f: fmt.int, better: 0, min: 0, max: null, d: 0},
};

// ---------- colours (colour-blind safe: purple-orange diverging, blues sequential) ----------

const DIVERGING = ['#b35806', '#f1a340', '#fee0b6', '#f7f7f7', '#d8daeb', '#998ec3', '#542788'];
const SEQUENTIAL = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
export const PALETTE =
    ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];
export const DIVERGING_COLOURS = DIVERGING;
export const SEQUENTIAL_COLOURS = SEQUENTIAL;

function lerpRgb(stops, t) {
  t = Math.min(1, Math.max(0, t));
  const pos = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = parseInt(stops[i].slice(1), 16);
  const b = parseInt(stops[i + 1].slice(1), 16);
  const ch = (v, s) => (v >> s) & 255;
  const mix = (s) => Math.round(ch(a, s) + (ch(b, s) - ch(a, s)) * f);
  return [mix(16), mix(8), mix(0)];
}

// A background and the text colour that reads best on it (WCAG relative luminance: dark text
// on light backgrounds, white on dark ones).
function paint(stops, t) {
  const rgb = lerpRgb(stops, t);
  const lin = rgb.map((c) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  // Contrast with #1d2430 (luminance ~0.017) vs with white: pick the larger.
  const dark = (1.05 / (lum + 0.05)) > ((lum + 0.05) / 0.067);
  return {bg: `rgb(${rgb.join(', ')})`, dark};
}

// The range a colour scale spans for values lo..hi of metric m: at least the metric's `span`
// around their middle (within the metric's bounds), so that noise between near-equal values
// (CSAT 3.9 vs 4.0) is not painted as the whole range from worst to best.
export function colourRange(m, lo, hi) {
  const def = METRICS[m];
  if (!def || !def.span || !isNum(lo) || !isNum(hi) || hi - lo >= def.span) return [lo, hi];
  const mid = (lo + hi) / 2;
  let a = mid - def.span / 2;
  let b = mid + def.span / 2;
  if (isNum(def.min) && a < def.min) [a, b] = [def.min, def.min + def.span];
  if (isNum(def.max) && b > def.max) [a, b] = [def.max - def.span, def.max];
  return [a, b];
}

// Background for a value of metric m, relative to the values [lo, hi] in the view (a fixed
// 1..5 scale would paint every store pale: real CSAT means sit within a point of each other).
// Quality metrics use a diverging scale centred between lo and hi, volumes a sequential one.
// Returns {bg, dark} where dark says the text should be light.
export function metricColour(m, value, lo, hi) {
  if (!isNum(value)) return {bg: '#eeeeee', dark: false};
  const def = METRICS[m];
  [lo, hi] = colourRange(m, lo, hi);
  let t = hi > lo ? (value - lo) / (hi - lo) : 0.5;
  if (def.better === 0) return paint(SEQUENTIAL, t * 0.85);
  if (def.better < 0) t = 1 - t;
  // Keep the ends off the darkest stops: softer cells, text readable either way.
  return paint(DIVERGING, 0.1 + 0.8 * t);
}

// ---------- the API ----------

export class ApiError extends Error {
  constructor(status, message, body = null) {
    super(message);
    this.status = status;
    this.body = body;  // the answer's JSON, if any (e.g. PUT /api/v1/config's "problems")
  }
}

export const session = {
  user: null,
  csrf: null
};

export async function api(path, {method = 'GET', body = null} = {}) {
  const headers = {Accept: 'application/json'};
  if (body !== null) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === null ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const msg = (data && data.error) || `${method} ${path}: HTTP ${res.status}`;
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

// ---------- filter state in the URL ----------

// Every view shares these; views add their own keys (metric, bucket, ...).
export const FILTER_KEYS =
    ['from', 'to', 'region', 'store', 'touchpoint', 'stage', 'suspect', 'compare'];

export function readState() {
  const q = new URLSearchParams(location.search);
  const list = (k) => (q.get(k) || '').split(',').filter(Boolean);
  const state = {
    from: q.get('from') || '',
    to: q.get('to') || '',
    region: list('region'),
    store: list('store'),
    touchpoint: q.get('touchpoint') || '',
    stage: q.get('stage') || '',
    suspect: q.get('suspect') === '1',
    compare: q.get('compare') === '1',
  };
  for (const [k, v] of q)
    if (!(k in state)) state[k] = v;
  return state;
}

// The query string for a state: only non-default values, stable order.
export function stateQuery(state, extra = {}) {
  const q = new URLSearchParams();
  const s = {...state, ...extra};
  for (const [k, v] of Object.entries(s)) {
    if (v === '' || v === null || v === undefined || v === false) continue;
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(','));
    } else if (v === true) {
      q.set(k, '1');
    } else {
      q.set(k, String(v));
    }
  }
  const str = q.toString();
  return str ? `?${str}` : '';
}

// The API query for a view: the shared filters plus the view's own keys named in `own`.
export function apiQuery(state, own = [], extra = {}) {
  const picked = {};
  for (const k of [...FILTER_KEYS, ...own])
    if (state[k] !== undefined) picked[k] = state[k];
  return stateQuery(picked, extra);
}

export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}
